using DiMml.Torch.Inference;
using static TorchSharp.torch;

namespace DiMml.Torch.Calibration;

/// <summary>
/// The fusion a model scores with, chosen on held-out rows that stage 1 never trained on. The candidates, in tie-break
/// order: the calibrated weighting, the paper's weighting at T = 1 and T = 3, the fusion head alone, each single branch.
/// Each is scored on the held-out rows and the most accurate one kept; a tie goes to the earlier candidate, so a
/// multi-branch fusion wins a tie with a single branch.
/// </summary>
public sealed class FusionSelection
{
    private FusionSelection(
        FusionCandidate chosen, IReadOnlyList<FusionCandidate> candidates, IReadOnlyList<double> branchTemperatures, int heldOutRows,
            FusionHeadSource headSource)
    {
        HeadSource = headSource;
        Chosen = chosen;
        Candidates = candidates;
        BranchTemperatures = branchTemperatures;
        HeldOutRows = heldOutRows;
    }

    /// <summary>The candidate the model scores with.</summary>
    public FusionCandidate Chosen { get; }

    /// <summary>Every candidate with its held-out accuracy, in tie-break order.</summary>
    public IReadOnlyList<FusionCandidate> Candidates { get; }

    /// <summary>The fitted temperature of each branch, in branch order.</summary>
    public IReadOnlyList<double> BranchTemperatures { get; }

    /// <summary>Which rows the kept fusion head was fitted on.</summary>
    public FusionHeadSource HeadSource { get; }

    /// <summary>Number of held-out rows the temperatures and accuracies come from.</summary>
    public int HeldOutRows { get; }

    /// <summary>Fits the branch temperatures on held-out logits and scores every candidate.</summary>
    /// <param name="branchNames">Branch names, in branch order (modality heads, then <c>fusion</c> when present).</param>
    /// <param name="branchLogits">Per branch, held-out logits <c>[n, C]</c>; the fusion head's must be cross-fitted.</param>
    /// <param name="labels">Held-out labels <c>[n]</c>.</param>
    /// <param name="certaintyTemperature">T of the calibrated weighting.</param>
    /// <param name="hasFusionBranch">Whether the last branch is the fusion head.</param>
    /// <param name="select">True: choose the most accurate candidate; false: keep the calibrated weighting.</param>
    /// <param name="headSource">Which rows the fusion head was fitted on (recorded only).</param>
    public static FusionSelection Fit(
        IReadOnlyList<string> branchNames, IReadOnlyList<Tensor> branchLogits, Tensor labels, double certaintyTemperature,
            bool hasFusionBranch, bool select,
        FusionHeadSource headSource = FusionHeadSource.None)
    {
        ArgumentNullException.ThrowIfNull(branchNames);
        ArgumentNullException.ThrowIfNull(branchLogits);
        var temperatures = TemperatureScaling.Fit(branchLogits, labels);
        var candidates = Weightings(branchNames, temperatures, certaintyTemperature, hasFusionBranch)
            .Select(c => new FusionCandidate(c.Name, c.Weighting, Accuracy(c.Weighting, branchLogits, labels)))
            .ToArray();
        var calibrated = candidates.First(c => c.Name == CalibratedName);
        var chosen = select ? candidates.Aggregate((best, c) => c.HeldOutAccuracy > best.HeldOutAccuracy ? c : best) : calibrated;
        return new FusionSelection(chosen, candidates, temperatures, (int)labels.shape[0], headSource);
    }

    /// <summary>Name of the calibrated-weighting candidate.</summary>
    public const string CalibratedName = "calibrated";

    private static IEnumerable<(string Name, CertaintyWeighting Weighting)> Weightings(
        IReadOnlyList<string> names, double[] temperatures, double certaintyTemperature, bool hasFusionBranch)
    {
        bool[] Only(int k) => names.Select((_, i) => i == k).ToArray();
        yield return (CalibratedName, new CertaintyWeighting(certaintyTemperature, temperatures));
        yield return ("paper-t1", new CertaintyWeighting(1.0));
        yield return ("paper-t3", new CertaintyWeighting(3.0));
        if (hasFusionBranch)
        {
            yield return ("fusion-head", new CertaintyWeighting(1.0, temperatures, Only(names.Count - 1)));
        }

        for (var k = 0; k < names.Count - (hasFusionBranch ? 1 : 0); k++)
        {
            yield return ($"branch:{names[k]}", new CertaintyWeighting(1.0, temperatures, Only(k)));
        }
    }

    private static double Accuracy(CertaintyWeighting weighting, IReadOnlyList<Tensor> branchLogits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (logits, _) = weighting.Fuse(branchLogits);
        return logits.argmax(1).eq(labels.to(logits.device)).to(ScalarType.Float64).mean().item<double>();
    }
}
