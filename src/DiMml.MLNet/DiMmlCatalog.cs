using DiMml;
using DiMml.Torch.Training;

namespace Microsoft.ML;

/// <summary>Catalog extensions, in the <c>Microsoft.ML</c> namespace as ML.NET's own packages put theirs (so
/// <c>using Microsoft.ML;</c> finds them): <c>mlContext.MulticlassClassification.Trainers.DiMml(...)</c>.</summary>
public static class DiMmlCatalog
{
    /// <summary>DI-MML with full options.</summary>
    /// <param name="catalog">The multiclass trainers catalog of an <see cref="MLContext"/>.</param>
    /// <param name="options">Training settings.</param>
    public static DiMmlTrainer DiMml(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        DiMmlTrainer.Options options) =>
        new(MLNetEnvironment.Of(catalog), options);

    /// <summary>DI-MML with one MLP-encoded modality per column (named after the column) and the defaults of
    /// <see cref="TrainerDefaults"/>: the paper's, except the fusion (<paramref name="inference"/>).</summary>
    /// <param name="catalog">The multiclass trainers catalog of an <see cref="MLContext"/>.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="modalityColumnNames">Two or more known-size float vector columns, one per modality.</param>
    /// <param name="epochs">Stage-1 epochs (paper: 150).</param>
    /// <param name="batchSize">Rows per step (paper: 16).</param>
    /// <param name="learningRate">SGD learning rate (paper: 1e-3).</param>
    /// <param name="seed">Seed for a reproducible CPU run; null draws one from the MLContext.</param>
    /// <param name="inference">How the model fuses its branches. Default <see cref="InferenceFusion.Selected"/>; the paper's
    /// is <see cref="InferenceFusion.CertaintyWeighting"/> (see <see cref="DiMmlOptions.Inference"/> for why they differ).</param>
    public static DiMmlTrainer DiMml(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName,
        IEnumerable<string> modalityColumnNames,
        int epochs = TrainerDefaults.Epochs,
        int batchSize = TrainerDefaults.BatchSize,
        double learningRate = TrainerDefaults.LearningRate,
        int? seed = null,
        InferenceFusion inference = TrainerDefaults.Inference)
    {
        ArgumentNullException.ThrowIfNull(modalityColumnNames);
        var options = new DiMmlTrainer.Options
        {
            LabelColumnName = labelColumnName,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Seed = seed,
            Inference = inference,
        };
        foreach (var column in modalityColumnNames)
        {
            options.Modalities.Add(new ModalityOptions { ColumnName = column });
        }

        return catalog.DiMml(options);
    }

    /// <summary>Joint-training baseline (all encoders + one fusion head, one CE loss) with full options.</summary>
    /// <param name="catalog">The multiclass trainers catalog of an <see cref="MLContext"/>.</param>
    /// <param name="options">Training settings.</param>
    public static JointMultimodalTrainer JointMultimodal(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        JointMultimodalTrainer.Options options) =>
        new(MLNetEnvironment.Of(catalog), options);

    /// <summary>Unimodal baseline (one modality's encoder and head) with full options.</summary>
    /// <param name="catalog">The multiclass trainers catalog of an <see cref="MLContext"/>.</param>
    /// <param name="options">Training settings with exactly one modality.</param>
    public static UnimodalTrainer Unimodal(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        UnimodalTrainer.Options options) =>
        new(MLNetEnvironment.Of(catalog), options);
}
