using Microsoft.ML;

namespace DiMml;

/// <summary>What the options of every ML.NET multimodal trainer add to the core's <see cref="Torch.Training.TrainerOptions"/>:
/// where the label is, which rows to validate on and the names of the columns the model adds (set them to put two trainers in
/// one pipeline).</summary>
public interface IMultimodalTrainerOptions
{
    /// <summary>Label column: a key type (put <c>MapValueToKey</c> first). Default "Label".</summary>
    string LabelColumnName { get; }

    /// <summary>Validation data with the same columns: per-epoch validation accuracy, model selection, early stopping and
    /// per-branch accuracy in the diagnostics. Never trained on. Default null.</summary>
    IDataView? ValidationSet { get; }

    /// <summary>Optional numeric column (Single or Double) of example weights, as on ML.NET's trainers: a row of weight w counts as
    /// w copies of it in every loss of every stage, in the effective dimensions and in the held-out fusion choice (integer weights
    /// train as duplicated rows would). Weight 0 skips the row; negative or non-finite weights are an error. A
    /// <see cref="ValidationSet"/> with the column is weighted too. Default null (every row weighs 1).</summary>
    string? ExampleWeightColumnName { get; }

    /// <summary>Column of the fused class probabilities. Default "Score" (<see cref="DiMmlColumns.Score"/>).</summary>
    string ScoreColumnName { get; }

    /// <summary>Column of the predicted class (key-typed with the label's key values). Default "PredictedLabel".</summary>
    string PredictedLabelColumnName { get; }

    /// <summary>Column of the per-row branch weights. Default "BranchWeights".</summary>
    string BranchWeightsColumnName { get; }

    /// <summary>Put before a modality's name to name the column of its own branch's probabilities. Default "Score."
    /// (<see cref="DiMmlColumns.ModalityScorePrefix"/>).</summary>
    string ModalityScoreColumnPrefix { get; }
}
