using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml.MLNet;

/// <summary>
/// Settings shared by every multimodal trainer of this package (DI-MML and its baselines): the label and
/// modality columns, the optimiser and its budget, data handling, device and seed. Defaults are the paper's.
/// </summary>
public abstract class MultimodalTrainerOptions
{
    /// <summary>Label column: a key type (put <c>MapValueToKey</c> first). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The modalities, at least 2, each a known-size float vector column.</summary>
    public IList<ModalityOptions> Modalities { get; } = new List<ModalityOptions>();

    /// <summary>Stage-1 epochs. Default 150.</summary>
    public int Epochs { get; set; } = 150;

    /// <summary>Rows per optimisation step. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>SGD learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay. Default 1e-4.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>StepLR period in epochs. Default 70.</summary>
    public int LrStepSize { get; set; } = 70;

    /// <summary>StepLR factor. Default 0.1.</summary>
    public double LrGamma { get; set; } = 0.1;

    /// <summary>Feature size D shared by all encoders (DUC and the shared head need one space). Default 512.</summary>
    public int EmbeddingSize { get; set; } = 512;

    /// <summary>Optional validation data (same columns): per-epoch validation accuracy, model selection
    /// (<see cref="SelectBestOnValidation"/>), early stopping (<see cref="EarlyStoppingPatience"/>) and per-branch accuracy in
    /// the diagnostics. Never trained on.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Training device. Default <see cref="TrainingDevice.Cpu"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

    /// <summary>Seed of initialisation and batch order: set for exactly reproducible CPU runs. Null (default): drawn from the MLContext's random source.</summary>
    public int? Seed { get; set; }

    /// <summary>libtorch CPU threads. This is a process-wide setting of libtorch, applied at Fit. Null (default): libtorch's choice.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// Memory the training data may take when read into memory (4 bytes per feature value). Larger data is
    /// streamed: each epoch reads its batches from the IDataView in the same seeded order, decoding the next
    /// window of rows in the background while the current one trains (half the budget per window). Each window
    /// costs one forward pass of a cursor (rows outside the window are skipped without reading their columns),
    /// so a larger budget means fewer passes. Null (default): a quarter of the memory available to the
    /// process, at most 4 GiB.
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>Skip training rows with NaN or infinite features (counted in the log) instead of failing. Default false.</summary>
    public bool DropRowsWithNonFiniteFeatures { get; set; }

    /// <summary>Called after every epoch (progress bars, custom logging). Each epoch is also written to <c>MLContext.Log</c>.</summary>
    public Action<EpochRecord>? EpochCompleted { get; set; }

    /// <summary>Directory for checkpoints written after every epoch (weights, optimiser state, epoch, history,
    /// effective-dimension sets) through a temporary file and a rename. Default null: no checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How many of the newest checkpoints to keep. Default 3.</summary>
    public int CheckpointsToKeep { get; set; } = 3;

    /// <summary>A checkpoint file, or the checkpoint directory of an interrupted run, to continue from with the same
    /// data, options and seed; the result equals an uninterrupted run on the CPU. Default null.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>With a <see cref="ValidationSet"/>: stop a training stage after this many epochs without a better
    /// validation accuracy. Default null: no early stopping.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>With a <see cref="ValidationSet"/>: end each stage with the weights of its best validation epoch
    /// (never selected on test data: only the validation rows are looked at). Default true.</summary>
    public bool SelectBestOnValidation { get; set; } = true;
}
