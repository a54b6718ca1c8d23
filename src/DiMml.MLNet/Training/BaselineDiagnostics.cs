namespace DiMml;

/// <summary>What a baseline run (joint training or one modality) did, with each encoder's linear-probe accuracy.</summary>
public sealed class BaselineDiagnostics : TrainingDiagnostics
{
    internal BaselineDiagnostics(IReadOnlyList<EpochRecord> history, FitFacts facts, IReadOnlyDictionary<string, double> probeAccuracy)
        : base(history, facts)
    {
        TrainAccuracy = history.Count > 0 ? history[^1].TrainAccuracy : new Dictionary<string, double>();
        ProbeAccuracy = probeAccuracy;
    }

    /// <summary>Training accuracy of the trained head(s) in the last epoch.</summary>
    public IReadOnlyDictionary<string, double> TrainAccuracy { get; }

    /// <summary>
    /// Per modality, the accuracy of a linear classifier trained on that modality's frozen encoder features
    /// (measured on the validation set when one is given, else on the training data). For joint training this shows
    /// how much each encoder learned under modality competition.
    /// </summary>
    public IReadOnlyDictionary<string, double> ProbeAccuracy { get; }
}
