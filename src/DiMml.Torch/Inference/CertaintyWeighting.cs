using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Inference;

/// <summary>
/// Certainty-aware logit weighting, per sample: with branch logits <c>z_k</c> (divided by a per-branch temperature
/// <c>τ_k</c> when calibrated), certainty <c>c_k = max_j softmax(z_k)_j</c>, weights <c>w = softmax_k(c_k / T)</c> over
/// the available branches, and fused logits <c>z = Σ_k w_k z_k</c>. Unavailable branches get weight 0; a row with no
/// available branch gets NaN weights and NaN logits. With preferred branches, a row fuses only the preferred ones that
/// are available, and falls back to all its available branches when none of those is. With a <see cref="BranchCombiner"/>
/// the weighted sum is replaced by a learnt combination of the calibrated log-probabilities.
/// </summary>
public sealed class CertaintyWeighting
{
    private readonly double[]? branchTemperatures;
    private readonly bool[]? preferred;
    private readonly BranchCombiner? combiner;

    /// <summary>Creates the weighting with temperature <paramref name="temperature"/>.</summary>
    /// <param name="temperature">T &gt; 0 (reference: 1 or 3); larger values flatten the weights towards uniform.</param>
    /// <param name="branchTemperatures">Optional per-branch calibration temperatures τ_k &gt; 0 (see
    /// <see cref="Calibration.TemperatureScaling"/>); null: the raw logits (the paper's).</param>
    /// <param name="preferredBranches">Optional per-branch flags: which branches to fuse (at least one true); null: all.</param>
    /// <param name="combiner">Optional learnt combination of the calibrated log-probabilities that replaces the weighted sum;
    /// null: the weighted sum of the logits (the paper's).</param>
    public CertaintyWeighting(double temperature = 1.0, IReadOnlyList<double>? branchTemperatures = null,
        IReadOnlyList<bool>? preferredBranches = null, BranchCombiner? combiner = null)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The certainty temperature must be a finite number > " +
                "0 (default 1).");
        }

        if (branchTemperatures is not null && branchTemperatures.Any(t => !double.IsFinite(t) || t <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(branchTemperatures), "Every branch temperature must be a finite number > 0.");
        }

        if (preferredBranches is not null && !preferredBranches.Contains(true))
        {
            throw new ArgumentException("Prefer at least one branch, or pass null to fuse all of them.", nameof(preferredBranches));
        }

        var counts = new[] { branchTemperatures?.Count, preferredBranches?.Count, combiner?.BranchCount }.OfType<int>().Distinct();
        if (counts.Count() > 1)
        {
            throw new ArgumentException("The branch temperatures, preferred-branch flags and combiner must be for as many branches.",
                nameof(combiner));
        }

        Temperature = temperature;
        this.combiner = combiner;
        this.branchTemperatures = branchTemperatures?.ToArray();
        preferred = preferredBranches?.ToArray();
    }

    /// <summary>The temperature T.</summary>
    public double Temperature { get; }

    /// <summary>Per-branch calibration temperatures τ_k, or null when the logits are used as they are.</summary>
    public IReadOnlyList<double>? BranchTemperatures => branchTemperatures;

    /// <summary>Which branches are fused (falling back to all available ones for a row that has none of them), or null for all.</summary>
    public IReadOnlyList<bool>? PreferredBranches => preferred;

    /// <summary>The learnt combination of the calibrated log-probabilities, or null for the weighted sum of the logits.</summary>
    public BranchCombiner? Combiner => combiner;

    /// <summary>The branches' calibrated logits <c>z_k / τ_k</c> (copies of the inputs when uncalibrated); the caller owns them.</summary>
    /// <param name="branchLogits">K tensors <c>[B, C]</c>.</param>
    public Tensor[] Calibrate(IReadOnlyList<Tensor> branchLogits)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        CheckBranchCount(branchLogits.Count);
        return branchLogits.Select((z, k) => branchTemperatures is null ? z.alias() : ScalarMath.Divide(z, branchTemperatures[k]))
            .ToArray();
    }

    /// <summary>Fuses the branches' logits.</summary>
    /// <param name="branchLogits">K tensors <c>[B, C]</c>: modality heads in modality order, then the fusion head if any.</param>
    /// <param name="availability">Optional <c>[B, K]</c> boolean mask; false drops that branch for that row. Null: all available.</param>
    /// <returns>Fused logits <c>[B, C]</c> and weights <c>[B, K]</c>; the caller owns both.</returns>
    public (Tensor Logits, Tensor Weights) Fuse(IReadOnlyList<Tensor> branchLogits, Tensor? availability = null)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        if (branchLogits.Count == 0)
        {
            throw new ArgumentException("At least one branch is needed.", nameof(branchLogits));
        }

        CheckBranchCount(branchLogits.Count);
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var logits = stack(Calibrate(branchLogits), 1);
        var present = availability ?? ones(logits.shape[0], logits.shape[1], dtype: ScalarType.Bool, device: logits.device);
        var available = Preferred(present);
        var unavailable = available.logical_not();
        var certainty = ScalarMath.Divide(logits.softmax(2).amax(2), Temperature);
        var weights = certainty.masked_fill(unavailable, scalars.Of(double.NegativeInfinity)).softmax(1);
        var kept = logits.masked_fill(unavailable.unsqueeze(2), scalars.Of(0.0));
        var fused = (weights.unsqueeze(2) * kept).sum(1);
        if (combiner is not null)
        {
            fused = combiner.Combine(logits.log_softmax(2), weights.nan_to_num(0.0), fused, present.all(1));
            fused = fused.masked_fill(available.any(1, keepdim: true).logical_not(), scalars.Of(double.NaN));
        }

        return (fused.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    // Available preferred branches, or all available ones for rows that have no preferred branch.
    private Tensor Preferred(Tensor available)
    {
        if (preferred is null)
        {
            return available;
        }

        var mask = tensor(preferred, device: available.device).unsqueeze(0);
        var kept = available.logical_and(mask);
        return where(kept.any(1, keepdim: true), kept, available);
    }

    private void CheckBranchCount(int count)
    {
        var expected = branchTemperatures?.Length ?? preferred?.Length ?? combiner?.BranchCount;
        if (expected is { } k && k != count)
        {
            throw new ArgumentException($"This weighting was set up for {k} branches; got {count}.", "branchLogits");
        }
    }

    /// <summary>
    /// Branch availability from modality availability: each modality branch follows its modality; the fusion
    /// branch (when present) needs every modality.
    /// </summary>
    /// <param name="modalityAvailable"><c>[B, N]</c> boolean mask of present modalities.</param>
    /// <param name="includeFusionBranch">Whether a fusion-head branch follows the N modality branches.</param>
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
