namespace DiMml.Cli;

/// <summary>One method's test results in a comparison.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Accuracy">Test accuracy (micro).</param>
/// <param name="MacroF1">Mean over classes of the per-class F1.</param>
/// <param name="ModalityAccuracy">Per modality: the accuracy of that modality's head on the test rows (joint: a linear probe on the frozen
/// encoder).</param>
/// <param name="TrainSeconds">Wall time of fitting.</param>
/// <param name="History">Per-epoch records (empty for LightGBM).</param>
internal sealed record MethodResult(
    string Method, double Accuracy, double MacroF1, IReadOnlyDictionary<string, double> ModalityAccuracy, double TrainSeconds,
        IReadOnlyList<EpochRecord> History)
{
    /// <summary>The run's seed (the first seed's, for a mean).</summary>
    public int Seed { get; init; }

    /// <summary>DI-MML's held-out fusion choice and each candidate's held-out and test accuracy; null for other methods and for
    /// a mean.</summary>
    public FusionChoiceResult? FusionChoice { get; init; }

    /// <summary>Seeds the figures are averaged over (1 for a single run).</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Sample standard deviation of the accuracy over the seeds (0 for one seed).</summary>
    public double AccuracySpread { get; init; }

    /// <summary>Means over seeds (the first seed's history); the spread is the accuracy's sample standard deviation.</summary>
    public static MethodResult Mean(IReadOnlyList<MethodResult> runs)
    {
        var accuracies = runs.Select(r => r.Accuracy).ToArray();
        var mean = accuracies.Average();
        var spread = runs.Count > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (runs.Count - 1)) : 0;
        var modalities = runs[0].ModalityAccuracy.Keys.ToDictionary(m => m, m => runs.Average(r => r.ModalityAccuracy[m]));
        return new MethodResult(runs[0].Method, mean, runs.Average(r => r.MacroF1), modalities, runs.Average(r => r.TrainSeconds), runs[0]
            .History)
        {
            Seed = runs[0].Seed,
            Seeds = runs.Count,
            AccuracySpread = spread,
        };
    }
}

/// <summary>A DI-MML run's fusion choice: the chosen candidate and every candidate's accuracy on the held-out rows (cross-fitted) and
/// on the test rows, as the trained model scores with it.</summary>
/// <param name="Chosen">The chosen candidate's name.</param>
/// <param name="HeldOut">Per candidate, held-out accuracy.</param>
/// <param name="Test">Per candidate, test accuracy.</param>
/// <param name="Refitted">Whether the model was refitted on all rows after the choice.</param>
internal sealed record FusionChoiceResult(
    string Chosen, IReadOnlyDictionary<string, double> HeldOut, IReadOnlyDictionary<string, double> Test, bool Refitted);
