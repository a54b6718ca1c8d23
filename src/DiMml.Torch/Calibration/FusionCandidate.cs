using DiMml.Torch.Inference;

namespace DiMml.Torch.Calibration;

/// <summary>One way to fuse a model's branches and its accuracy on the held-out rows.</summary>
/// <param name="Name">Short name: <c>paper-t1</c>, <c>paper-t3</c>, <c>calibrated</c>, <c>fusion-head</c> or <c>branch:{name}</c>.</param>
/// <param name="Weighting">The weighting that implements it.</param>
/// <param name="HeldOutAccuracy">Accuracy on the held-out rows (the fusion head's logits there are cross-fitted).</param>
public sealed record FusionCandidate(string Name, CertaintyWeighting Weighting, double HeldOutAccuracy);
