namespace DiMml.Torch.Calibration;

/// <summary>
/// How the fusion choice leaves the paper's weighting, from the candidates' paired held-out outcomes. <see cref="Sequential"/>:
/// each candidate in turn replaces the fusion kept so far when its paired gain over it exceeds its bar in standard errors.
/// Otherwise every candidate is paired with the paper's weighting, and of those whose gain clears their bar the one with the
/// highest lower bound (gain minus the bar times the standard error) is the choice. The bar is <see cref="ZSingleBranch"/> for a
/// single branch (it drops a modality), else <see cref="Z"/>.
/// </summary>
/// <param name="Name">Short name for reports.</param>
/// <param name="Sequential">Whether candidates are compared in turn with the fusion kept so far.</param>
/// <param name="Z">Standard errors a fusion of every branch must clear.</param>
/// <param name="ZSingleBranch">Standard errors a single branch must clear (the prior toward every modality).</param>
internal sealed record FusionRule(string Name, bool Sequential, double Z, double ZSingleBranch)
{
    /// <summary>The default: every candidate against the paper's weighting; a fusion of every branch needs a gain above two
    /// standard errors, a single branch above three. On the fusion suite the one-standard-error chain (<see cref="Chain1"/>) left
    /// the paper's weighting on near-ties, and for fitted fusions of a held-out model, or single branches, that the model refitted
    /// on all rows did not bear out (RESULTS.md, "Choice rules"). Three standard errors for fitted fusions too would keep a
    /// pure-noise modality in the fusion on a few hundred held-out rows (FusionSelectionTests).</summary>
    public static FusionRule Default { get; } = new("vs paper, 2 SE, branch 3 SE", false, 2, 3);

    /// <summary>The rule before issue 27: in turn, one standard error; kept for the fusion suite's comparison.</summary>
    public static FusionRule Chain1 { get; } = new("chain, 1 SE", true, 1, 1);

    /// <summary>Picks the index of the chosen candidate; <paramref name="candidates"/> starts with the paper's weighting. Each step
    /// records whether the candidate cleared its bar against its incumbent.</summary>
    public (int Chosen, FusionComparison[] Steps) Choose(IReadOnlyList<FusionCandidate> candidates, HeldOutOutcomes outcomes)
    {
        var kept = 0;
        var best = 0.0;
        var steps = new List<FusionComparison>();
        for (var i = 1; i < candidates.Count; i++)
        {
            var incumbent = Sequential ? kept : 0;
            var (gain, error) = FusionSelection.PairedGain(outcomes.Correct[i], outcomes.Correct[incumbent], outcomes.RowWeights);
            var bound = gain - Bar(candidates[i]) * error;
            var cleared = bound > 0;
            steps.Add(new FusionComparison(candidates[i].Name, candidates[incumbent].Name, gain, error, cleared));
            if (cleared && (Sequential || bound > best))
            {
                (kept, best) = (i, bound);
            }
        }

        return (kept, [.. steps]);
    }

    /// <summary>The standard errors <paramref name="candidate"/>'s gain must clear.</summary>
    public double Bar(FusionCandidate candidate) =>
        candidate.Name.StartsWith(FusionSelection.BranchPrefix, StringComparison.Ordinal) ? ZSingleBranch : Z;
}
