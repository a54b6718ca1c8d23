namespace DiMml.MLNet;

/// <summary>Facts about a fit that every diagnostics type reports.</summary>
internal sealed record FitFacts(
    int Seed, long TrainingRows, long SkippedRows, TimeSpan TrainingTime, bool Streamed, TimeSpan DataWaitTime,
        IReadOnlyDictionary<string, double>? ValidationAccuracy);
