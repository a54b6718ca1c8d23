namespace DiMml;

/// <summary>Facts about a fit that every diagnostics type reports.</summary>
internal sealed record FitFacts(
    int Seed, long TrainingRows, long SkippedRows, TimeSpan TrainingTime, bool Streamed, TimeSpan DataWaitTime,
        IReadOnlyDictionary<string, double>? ValidationAccuracy)
{
    /// <summary>The device stage 1 trained on, e.g. <c>cpu</c> or <c>cuda:0</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>The Fit's cancellation (the options' token linked with the MLContext's state), for work done after training.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>The ONNX Runtime execution provider the scoring chain uses.</summary>
    public string ExecutionProvider { get; init; } = "CPUExecutionProvider";
}
