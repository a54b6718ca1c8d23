using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Inference;

/// <summary>
/// Certainty-aware logit weighting, per sample: with branch logits <c>z_k</c>, certainty
/// <c>c_k = max_j softmax(z_k)_j</c>, weights <c>w = softmax_k(c_k / T)</c> over the available branches,
/// and fused logits <c>z = Σ_k w_k z_k</c>. Unavailable branches get weight 0; a row with no available
/// branch gets NaN weights and NaN logits.
/// </summary>
public sealed class CertaintyWeighting
{
    /// <summary>Creates the weighting with temperature <paramref name="temperature"/>.</summary>
    /// <param name="temperature">T &gt; 0 (reference: 1 or 3); larger values flatten the weights towards uniform.</param>
    public CertaintyWeighting(double temperature = 1.0)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The certainty temperature must be a finite number > 0 (default 1).");
        }

        Temperature = temperature;
    }

    /// <summary>The temperature T.</summary>
    public double Temperature { get; }

    /// <summary>Fuses the branches' logits.</summary>
    /// <param name="branchLogits">K tensors <c>[B, C]</c>: private heads in modality order, then the fusion head if any.</param>
    /// <param name="availability">Optional <c>[B, K]</c> boolean mask; false drops that branch for that row. Null: all available.</param>
    /// <returns>Fused logits <c>[B, C]</c> and weights <c>[B, K]</c>; the caller owns both.</returns>
    public (Tensor Logits, Tensor Weights) Fuse(IReadOnlyList<Tensor> branchLogits, Tensor? availability = null)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        if (branchLogits.Count == 0)
        {
            throw new ArgumentException("At least one branch is needed.", nameof(branchLogits));
        }

        using var scope = NewDisposeScope();
        var logits = stack(branchLogits.ToArray(), 1);
        var available = availability ?? ones(logits.shape[0], logits.shape[1], dtype: ScalarType.Bool, device: logits.device);
        var unavailable = available.logical_not();
        var certainty = logits.softmax(2).amax(2) / Temperature;
        var weights = certainty.masked_fill(unavailable, double.NegativeInfinity).softmax(1);
        var kept = logits.masked_fill(unavailable.unsqueeze(2), 0.0);
        var fused = (weights.unsqueeze(2) * kept).sum(1);
        return (fused.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Branch availability from modality availability: each private branch follows its modality; the fusion
    /// branch (when present) needs every modality.
    /// </summary>
    /// <param name="modalityAvailable"><c>[B, N]</c> boolean mask of present modalities.</param>
    /// <param name="includeFusionBranch">Whether a fusion-head branch follows the N private branches.</param>
    public static Tensor BranchAvailability(Tensor modalityAvailable, bool includeFusionBranch)
    {
        ArgumentNullException.ThrowIfNull(modalityAvailable);
        if (!includeFusionBranch)
        {
            return modalityAvailable.alias();
        }

        using var all = modalityAvailable.all(1, keepdim: true);
        return cat([modalityAvailable, all], 1);
    }

    /// <summary>
    /// Modality availability from raw inputs: a row of a modality is missing when its input vector holds any NaN.
    /// </summary>
    /// <param name="inputs">One input batch per modality (first dimension = rows).</param>
    public static Tensor ModalityAvailability(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        var present = inputs.Select(x => x.isnan().flatten(1).any(1).logical_not()).ToArray();
        return stack(present, 1).MoveToOuterDisposeScope();
    }
}
