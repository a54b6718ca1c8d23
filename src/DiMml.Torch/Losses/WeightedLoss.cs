using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Losses;

/// <summary>Batch means under example weights: a row of weight w counts as w copies of it, so integer weights train as
/// duplicated rows would. Without weights, the plain means (the unweighted path is unchanged).</summary>
internal static class WeightedLoss
{
    /// <summary>Mean cross-entropy of <paramref name="logits"/> against <paramref name="labels"/>: <c>Σ w_i CE_i / Σ w_i</c>.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, Tensor? weights) =>
        weights is null ? F.cross_entropy(logits, labels) : Mean(F.cross_entropy(logits, labels, reduction: nn.Reduction.None), weights);

    /// <summary><c>Σ w_i x_i / Σ w_i</c> of per-row values <paramref name="perRow"/>.</summary>
    public static Tensor Mean(Tensor perRow, Tensor weights) => (perRow * weights).sum() / weights.sum();
}
