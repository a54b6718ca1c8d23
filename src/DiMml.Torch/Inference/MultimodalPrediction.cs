using static TorchSharp.torch;

namespace DiMml.Torch.Inference;

/// <summary>Predictions for a batch; owns its tensors.</summary>
/// <param name="Probabilities">Fused class probabilities <c>[B, C]</c>; NaN rows where no branch was available.</param>
/// <param name="BranchLogits">Logits <c>[B, C]</c> of each branch, in the order of <see cref="MultimodalModel.BranchNames"/>.</param>
/// <param name="Weights">Per-row branch weights <c>[B, K]</c> (0 for an unavailable branch, NaN when none was available).</param>
public sealed record MultimodalPrediction(Tensor Probabilities, IReadOnlyList<Tensor> BranchLogits, Tensor Weights) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Probabilities.Dispose();
        Weights.Dispose();
        foreach (var logits in BranchLogits)
        {
            logits.Dispose();
        }
    }
}
