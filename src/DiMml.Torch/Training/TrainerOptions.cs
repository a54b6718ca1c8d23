namespace DiMml.Torch.Training;

/// <summary>
/// Settings shared by DI-MML and its baselines, in the core and in the ML.NET trainers (whose options derive from
/// these). Defaults are the reference code's (<see cref="TrainerDefaults"/>).
/// </summary>
public class TrainerOptions
{
    /// <summary>The modalities, in the order of the dataset's feature tensors (the ML.NET trainers take
    /// <c>ModalityOptions</c>, which also name their column).</summary>
    public IList<ModalityOptions> Modalities { get; init; } = new List<ModalityOptions>();

    /// <summary>Training epochs (stage 1 for DI-MML). Default 150.</summary>
    public int Epochs { get; set; } = TrainerDefaults.Epochs;

    /// <summary>Rows per optimisation step. Default 16.</summary>
    public int BatchSize { get; set; } = TrainerDefaults.BatchSize;

    /// <summary>SGD learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = TrainerDefaults.LearningRate;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; set; } = TrainerDefaults.Momentum;

    /// <summary>SGD weight decay (L2). Default 1e-4.</summary>
    public double WeightDecay { get; set; } = TrainerDefaults.WeightDecay;

    /// <summary>Epochs between learning-rate decays (StepLR period). Default 70.</summary>
    public int LearningRateStepSize { get; set; } = TrainerDefaults.LearningRateStepSize;

    /// <summary>Factor applied to the learning rate at each decay (StepLR gamma). Default 0.1.</summary>
    public double LearningRateDecay { get; set; } = TrainerDefaults.LearningRateDecay;

    /// <summary>Feature size D of every encoder (DUC and the shared head need one space). Default 512 (the paper's).</summary>
    public int EmbeddingSize { get; set; } = TrainerDefaults.EmbeddingSize;

    /// <summary>Fusion head of joint training and of DI-MML's stage 2. Default <see cref="FusionHeadKind.Concat"/>.</summary>
    public FusionHeadKind FusionHead { get; set; } = FusionHeadKind.Concat;

    /// <summary>Seed of weight initialisation, batch order and augmentation; the same seed gives the same model on the
    /// same CPU. Default 0 (<see cref="TrainerDefaults.Seed"/>) for the core learners; null (the ML.NET trainers' default)
    /// draws one for each Fit (there from the MLContext's random source, recorded in the diagnostics).</summary>
    public int? Seed { get; set; } = TrainerDefaults.Seed;

    /// <summary>Training device. Null (default): the CPU for the core learners; the ML.NET trainers follow
    /// <c>MLContext.GpuDeviceId</c> and <c>MLContext.FallbackToCpu</c>, as ML.NET's own deep-learning trainers do. An explicit
    /// value wins over the MLContext.</summary>
    public TrainingDevice? Device { get; set; }

    /// <summary>The host's GPU setting (<c>MLContext.GpuDeviceId</c>, <c>FallbackToCpu</c>), set by the ML.NET trainers on
    /// their run's copy; consulted when <see cref="Device"/> is null.</summary>
    internal (int? GpuDeviceId, bool FallbackToCpu) HostGpu { get; set; }

    /// <summary>The device this run trains on.</summary>
    internal TorchSharp.torch.Device ResolveDevice() => DeviceSelection.Resolve(Device, HostGpu.GpuDeviceId, HostGpu.FallbackToCpu);

    /// <summary>libtorch CPU threads during Fit (libtorch's setting is process-wide; it is put back after the Fit).
    /// Null (default): libtorch's choice.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// For trainers that read rows from a data source (the ML.NET trainers): memory the training data may take in
    /// memory (4 bytes per feature value). Larger data is streamed: each epoch reads its batches in the same seeded
    /// order, decoding the next window of rows in the background while the current one trains (half the budget per
    /// window); a larger budget means fewer cursor passes. Null (default): a quarter of the memory available to the
    /// process, at most 4 GiB.
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>For trainers that read rows from a data source: skip training rows with NaN or infinite features
    /// (counted in the log) instead of failing. Default false.</summary>
    public bool DropRowsWithNonFiniteFeatures { get; set; }

    /// <summary>Directory for checkpoints, written after every epoch (weights, optimiser state, epoch, history,
    /// effective-dimension sets) through a temporary file and a rename. Null (default): no checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How many of the newest checkpoints to keep. Default 3.</summary>
    public int CheckpointsToKeep { get; set; } = TrainerDefaults.CheckpointsToKeep;

    /// <summary>A checkpoint file, or a checkpoint directory (its newest file), to continue training from with the
    /// same data, options and seed; the result equals an uninterrupted run on the CPU. Null (default): start afresh.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>With validation rows: stop a stage after this many epochs without a better validation accuracy.
    /// Null (default): no early stopping.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>With validation rows: end each stage with the weights of its best validation epoch instead of its
    /// last. Default true. Selection never looks at test data: it sees only the rows passed as validation.</summary>
    public bool SelectBestOnValidation { get; set; } = true;

    /// <summary>Called after every epoch with its record (progress reporting, logging). To stop the run from here, cancel
    /// <see cref="CancellationToken"/>'s source or throw <see cref="OperationCanceledException"/>.</summary>
    public Action<EpochRecord>? EpochCompleted { get; set; }

    /// <summary>Stops a Fit: checked before every training step of every stage, every batch of the feature passes (effective
    /// dimensions, fusion features) and before the fusion choice; the Fit then throws
    /// <see cref="OperationCanceledException"/>. Checkpoints written at the end of completed epochs stay valid, so
    /// <see cref="ResumeFrom"/> continues to the same result. Default: none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>The seed of a run whose options went through <see cref="ForRun"/>.</summary>
    internal int RunSeed => Seed ?? throw new InvalidOperationException("The run's seed was not resolved.");

    /// <summary>A shallow copy for one run, with the seed resolved and the callback that run reports to; the caller's
    /// options stay as they were.</summary>
    internal TrainerOptions ForRun(int seed, Action<EpochRecord>? epochCompleted)
    {
        var copy = (TrainerOptions)MemberwiseClone();
        copy.Seed = seed;
        copy.EpochCompleted = epochCompleted;
        return copy;
    }

    /// <summary>This run's copy: the seed drawn when none is set; the same object when it is.</summary>
    internal T Resolved<T>() where T : TrainerOptions => (T)(Seed is null ? ForRun(Random.Shared.Next(), EpochCompleted) : this);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    /// <param name="modalityCount">Number of modalities in the training data.</param>
    internal virtual void Validate(int modalityCount)
    {
        Require(Modalities.Count == modalityCount, nameof(Modalities), $"lists {Modalities.Count} modalities but the data has " +
            $"{modalityCount}; give one ModalityOptions per feature tensor");
        Require(Modalities.All(m => m is not null), nameof(Modalities), "has a null entry");
        foreach (var modality in Modalities)
        {
            modality.Validate();
        }

        var duplicate = Modalities.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, nameof(Modalities), $"names '{duplicate?.Key}' twice; modality names must be unique");
        Require(Epochs > 0, nameof(Epochs), $"is {Epochs}; it must be at least 1");
        Require(BatchSize > 0, nameof(BatchSize), $"is {BatchSize}; it must be at least 1");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), $"is {LearningRate}; it must be a finite " +
            $"number > 0");
        Require(double.IsFinite(Momentum) && Momentum >= 0, nameof(Momentum), $"is {Momentum}; it must be a finite number >= 0");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay),
            $"is {WeightDecay}; it must be a finite number >= 0");
        Require(LearningRateStepSize > 0, nameof(LearningRateStepSize), $"is {LearningRateStepSize}; it must be at least 1");
        Require(double.IsFinite(LearningRateDecay) && LearningRateDecay > 0, nameof(LearningRateDecay), $"is {LearningRateDecay}; it " +
            $"must be a finite number > 0");
        Require(Enum.IsDefined(FusionHead), nameof(FusionHead), $"is {FusionHead}; use one of " +
            $"{string.Join(", ", Enum.GetNames<FusionHeadKind>())}");
        Require(Device is null || Enum.IsDefined(Device.Value), nameof(Device), $"is {Device}; use one of " +
            $"{string.Join(", ", Enum.GetNames<TrainingDevice>())}, or null to follow the MLContext");
        Require(NumberOfThreads is null or > 0, nameof(NumberOfThreads), $"is {NumberOfThreads}; it must be at least 1, or null");
        Require(MemoryBudgetBytes is null or > 0, nameof(MemoryBudgetBytes), $"is {MemoryBudgetBytes}; it must be positive, or null for " +
            $"the default");
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), $"is {EmbeddingSize}; it must be at least 1");
        Require(Modalities.All(m => m.Encoder != EncoderKind.ResNet18) || (EmbeddingSize >= 8 && EmbeddingSize % 8 == 0),
            nameof(EmbeddingSize),
            $"is {EmbeddingSize}; ResNet-18 encoders need a multiple of 8 (their stage widths are EmbeddingSize/8 ... EmbeddingSize; " +
                $"paper 512)");
        Require(FusionHead is not (FusionHeadKind.Film or FusionHeadKind.Gated) || modalityCount == 2, nameof(FusionHead),
            $"is {FusionHead}, which needs exactly 2 modalities; use Concat or Sum for {modalityCount}");
        Require(EarlyStoppingPatience is null or > 0, nameof(EarlyStoppingPatience), $"is {EarlyStoppingPatience}; it must be at least " +
            $"1, or null for none");
        Require(CheckpointDirectory is null || !File.Exists(CheckpointDirectory), nameof(CheckpointDirectory),
            $"is '{CheckpointDirectory}', which is an existing file; give a directory (created when missing) for the checkpoint files");
        Require(CheckpointsToKeep > 0, nameof(CheckpointsToKeep), $"is {CheckpointsToKeep}; keep at least 1");
        Require(ResumeFrom is null || File.Exists(ResumeFrom) || Directory.Exists(ResumeFrom), nameof(ResumeFrom),
            $"is '{ResumeFrom}', which does not exist; give a checkpoint file or the CheckpointDirectory of the interrupted run");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for option <paramref name="option"/> unless <paramref name="condition"/>
    /// holds.</summary>
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
