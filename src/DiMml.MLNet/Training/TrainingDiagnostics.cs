namespace DiMml;

/// <summary>What any multimodal training run of this package records, whatever the method.</summary>
public abstract class TrainingDiagnostics
{
    private protected TrainingDiagnostics(IReadOnlyList<EpochRecord> history, FitFacts facts)
    {
        History = history;
        ValidationAccuracy = facts.ValidationAccuracy;
        Seed = facts.Seed;
        TrainingRows = facts.TrainingRows;
        SkippedRows = facts.SkippedRows;
        TrainingTime = facts.TrainingTime;
        Streamed = facts.Streamed;
        DataWaitTime = facts.DataWaitTime;
        TrainingDevice = facts.Device;
        ScoringExecutionProvider = facts.ExecutionProvider;
        FinalLosses = history.LastOrDefault(r => r.Stage != TrainingStage.Fusion)?.Losses ?? new Dictionary<string, double>();
    }

    /// <summary>Every epoch: loss terms, training accuracies, effective-set sizes (DI-MML), wall time.</summary>
    public IReadOnlyList<EpochRecord> History { get; }

    /// <summary>Mean loss terms of the last training epoch (before any stage-2 fusion epochs).</summary>
    public IReadOnlyDictionary<string, double> FinalLosses { get; }

    /// <summary>Accuracy on <see cref="IMultimodalTrainerOptions.ValidationSet"/> of the model's prediction (<c>fused</c>)
    /// and of each of its branches; null without a validation set.</summary>
    public IReadOnlyDictionary<string, double>? ValidationAccuracy { get; }

    /// <summary>The device the model trained on (<c>cpu</c>, <c>cuda:0</c>, ...): the options' <c>Device</c>, or the
    /// MLContext's <c>GpuDeviceId</c> and <c>FallbackToCpu</c> when it is null.</summary>
    public string TrainingDevice { get; }

    /// <summary>The ONNX Runtime execution provider the fitted model scores with (<c>CPUExecutionProvider</c> or
    /// <c>CUDAExecutionProvider</c>): CUDA only when the MLContext has a <c>GpuDeviceId</c> and CUDA works there; a model loaded
    /// later scores where the loading context's setting decides.</summary>
    public string ScoringExecutionProvider { get; }

    /// <summary>The seed the run used (given, or drawn from the MLContext).</summary>
    public int Seed { get; }

    /// <summary>Rows trained on.</summary>
    public long TrainingRows { get; }

    /// <summary>Rows skipped (missing label, or non-finite features when dropping was asked for).</summary>
    public long SkippedRows { get; }

    /// <summary>Wall time of training (all stages).</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>Whether the training data was streamed (it exceeded
    /// <see cref="Torch.Training.TrainerOptions.MemoryBudgetBytes"/>).</summary>
    public bool Streamed { get; }

    /// <summary>Time training spent waiting for streamed data (zero in memory).</summary>
    public TimeSpan DataWaitTime { get; }

    /// <summary>Share of the training time spent waiting for streamed data.</summary>
    public double DataWaitShare => TrainingTime > TimeSpan.Zero ? DataWaitTime / TrainingTime : 0;
}
