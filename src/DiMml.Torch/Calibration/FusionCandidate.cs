using DiMml.Torch.Inference;

namespace DiMml.Torch.Calibration;

/// <summary>One way to fuse a model's branches and its accuracy on the held-out rows.</summary>
/// <param name="Name">Short name: <c>paper-t1</c>, <c>paper-t3</c>, <c>branch:{name}</c>, <c>fusion-head</c>, <c>calibrated</c>,
/// <c>per-class</c> or <c>stacked</c>.</param>
/// <param name="Weighting">The weighting that implements it, fitted on every held-out row.</param>
/// <param name="HeldOutAccuracy">Cross-fitted accuracy on the held-out rows: each row is scored by a version of the candidate
/// (temperatures, combiner, fusion head) fitted without it.</param>
public sealed record FusionCandidate(string Name, CertaintyWeighting Weighting, double HeldOutAccuracy)
{
    /// <summary>Whether its predicted classes depend on what it fitted on the held-out rows (temperatures inside the weighting,
    /// a combiner): true for the calibrated, per-class and stacked fusion. The single-branch and fusion-head candidates carry
    /// the fitted temperatures too, but only to calibrate their probabilities.</summary>
    public bool FittedOnHeldOutRows { get; init; }
}
