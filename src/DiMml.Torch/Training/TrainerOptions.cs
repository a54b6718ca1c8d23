using DiMml.Torch.Modules;

namespace DiMml.Torch.Training;

/// <summary>
/// Settings shared by DI-MML and its baselines. Defaults are the reference's (SGD lr 1e-3, momentum 0.9,
/// weight decay 1e-4, StepLR 70 / 0.1, 150 epochs, batch 16, seed 0, D = 512).
/// </summary>
public class TrainerOptions
{
    /// <summary>The modalities, in the order of the dataset's feature tensors.</summary>
    public IList<ModalitySpec> Modalities { get; init; } = new List<ModalitySpec>();

    /// <summary>Training epochs (stage 1 for DI-MML). Default 150.</summary>
    public int Epochs { get; set; } = 150;

    /// <summary>Rows per optimisation step. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>SGD learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay (L2). Default 1e-4.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>StepLR period in epochs. Default 70.</summary>
    public int LrStepSize { get; set; } = 70;

    /// <summary>StepLR factor. Default 0.1.</summary>
    public double LrGamma { get; set; } = 0.1;

    /// <summary>Feature size D of every encoder. Default 512 (the paper's).</summary>
    public int EmbeddingSize { get; set; } = 512;

    /// <summary>Fusion head of joint training and of DI-MML's stage 2. Default <see cref="FusionHeadKind.Concat"/>.</summary>
    public FusionHeadKind FusionHead { get; set; } = FusionHeadKind.Concat;

    /// <summary>Seed of weight initialisation and batch order; same seed, same weights on the CPU. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Training device. Default <see cref="TrainingDevice.Cpu"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Cpu;

    /// <summary>Directory for checkpoints, written after every epoch (weights, optimiser state, epoch, history,
    /// effective-dimension sets) through a temporary file and a rename. Null (default): no checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How many of the newest checkpoints to keep. Default 3.</summary>
    public int CheckpointsToKeep { get; set; } = 3;

    /// <summary>A checkpoint file, or a checkpoint directory (its newest file), to continue training from with the
    /// same data, options and seed. Null (default): start afresh.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>With validation rows: stop a stage after this many epochs without a better validation accuracy.
    /// Null (default): no early stopping.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>With validation rows: end each stage with the weights of its best validation epoch instead of its
    /// last. Default true. Selection never looks at test data: it sees only the rows passed as validation.</summary>
    public bool SelectBestOnValidation { get; set; } = true;

    /// <summary>Called after every epoch with its record (progress reporting, logging).</summary>
    public Action<EpochRecord>? EpochCompleted { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    /// <param name="modalityCount">Number of modalities in the training data.</param>
    public virtual void Validate(int modalityCount)
    {
        Require(Modalities.Count == modalityCount, nameof(Modalities), $"lists {Modalities.Count} modalities but the data has {modalityCount}; give one ModalitySpec per feature tensor");
        var duplicate = Modalities.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, nameof(Modalities), $"names '{duplicate?.Key}' twice; modality names must be unique");
        Require(Epochs > 0, nameof(Epochs), $"is {Epochs}; it must be at least 1");
        Require(BatchSize > 0, nameof(BatchSize), $"is {BatchSize}; it must be at least 1");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), $"is {LearningRate}; it must be a finite number > 0");
        Require(double.IsFinite(Momentum) && Momentum >= 0, nameof(Momentum), $"is {Momentum}; it must be a finite number >= 0");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), $"is {WeightDecay}; it must be a finite number >= 0");
        Require(LrStepSize > 0, nameof(LrStepSize), $"is {LrStepSize}; it must be at least 1");
        Require(double.IsFinite(LrGamma) && LrGamma > 0, nameof(LrGamma), $"is {LrGamma}; it must be a finite number > 0");
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), $"is {EmbeddingSize}; it must be at least 1");
        Require(EarlyStoppingPatience is null or > 0, nameof(EarlyStoppingPatience), $"is {EarlyStoppingPatience}; it must be at least 1, or null for none");
        Require(CheckpointDirectory is null || !File.Exists(CheckpointDirectory), nameof(CheckpointDirectory),
            $"is '{CheckpointDirectory}', which is an existing file; give a directory (created when missing) for the checkpoint files");
        Require(CheckpointsToKeep > 0, nameof(CheckpointsToKeep), $"is {CheckpointsToKeep}; keep at least 1");
        Require(ResumeFrom is null || File.Exists(ResumeFrom) || Directory.Exists(ResumeFrom), nameof(ResumeFrom),
            $"is '{ResumeFrom}', which does not exist; give a checkpoint file or the CheckpointDirectory of the interrupted run");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for option <paramref name="option"/> unless <paramref name="condition"/> holds.</summary>
    /// <param name="condition">What must be true.</param>
    /// <param name="option">Option name.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    protected static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Option {option} {problem}.", option);
        }
    }
}
