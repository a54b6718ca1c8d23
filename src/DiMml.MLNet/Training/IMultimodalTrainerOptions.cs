using Microsoft.ML;

namespace DiMml.MLNet;

/// <summary>What the options of every ML.NET multimodal trainer add to the core's <see cref="Torch.Training.TrainerOptions"/>:
/// where the label is and which rows to validate on.</summary>
public interface IMultimodalTrainerOptions
{
    /// <summary>Label column: a key type (put <c>MapValueToKey</c> first). Default "Label".</summary>
    string LabelColumnName { get; }

    /// <summary>Validation data with the same columns: per-epoch validation accuracy, model selection, early stopping and
    /// per-branch accuracy in the diagnostics. Never trained on. Default null.</summary>
    IDataView? ValidationSet { get; }
}
