namespace DiMml;

/// <summary>What happened in one training epoch.</summary>
/// <param name="Stage">The procedure that ran the epoch.</param>
/// <param name="Epoch">0-based epoch index within the stage.</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Losses">Row-weighted mean of each loss term over the epoch: <c>ce.{modality}</c>, <c>shared.{modality}</c>,
/// <c>duc</c>, <c>fusion</c>, and <c>total</c> (the optimised sum).</param>
/// <param name="TrainAccuracy">Accuracy on the training batches, per head (<c>{modality}</c>, <c>shared.{modality}</c>,
/// <c>fusion</c>).</param>
/// <param name="EffectiveSetSizes">Sizes of E_m and D(s→t) when they were (re)computed at the start of this epoch;
/// otherwise null.</param>
/// <param name="Elapsed">Wall time of the epoch, including any effective-dimension pass.</param>
public sealed record EpochRecord(
    TrainingStage Stage,
    int Epoch,
    double LearningRate,
    IReadOnlyDictionary<string, double> Losses,
    IReadOnlyDictionary<string, double> TrainAccuracy,
    IReadOnlyDictionary<string, int>? EffectiveSetSizes,
    TimeSpan Elapsed)
{
    /// <summary>Accuracy on the validation rows after this epoch, when training was given a validation set.</summary>
    public double? ValidationAccuracy { get; init; }
}
