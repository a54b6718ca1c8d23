using DiMml.Torch.Calibration;
using DiMml.Torch.Inference;

namespace DiMml.Torch.Tests;

/// <summary>How a choice rule leaves the paper's weighting, on given per-row held-out outcomes (no tensors, no training).</summary>
[TestClass]
public sealed class FusionRuleTests
{
    private const int Rows = 400;

    // Right on the first `right` rows of 400; a candidate with more rows right only adds rows the paper gets wrong.
    private static bool[] RightOnFirst(int right) => Enumerable.Range(0, Rows).Select(r => r < right).ToArray();

    private static FusionCandidate Candidate(string name, int right) => new(name, new CertaintyWeighting(), right / (double)Rows);

    private static (FusionCandidate[] Candidates, HeldOutOutcomes Outcomes) Outcomes(params (string Name, int Right)[] candidates) =>
        (candidates.Select(c => Candidate(c.Name, c.Right)).ToArray(),
            new HeldOutOutcomes(candidates.Select(c => RightOnFirst(c.Right)).ToArray(), null));

    [TestMethod]
    public void TheChainReplacesTheKeptFusionAtOneStandardError()
    {
        // 8 more rows right of 400: gain 0.02, standard error sqrt(0.02 * 0.98 / 400) = 0.007, so 2.9 standard errors.
        var (candidates, outcomes) = Outcomes((FusionSelection.PaperName, 360), ("branch:a", 368), (FusionSelection.CalibratedName, 368));
        var (chosen, steps) = FusionRule.Chain1.Choose(candidates, outcomes);

        Assert.AreEqual("branch:a", candidates[chosen].Name, "a tie with the kept branch keeps it");
        Assert.AreEqual(2, steps.Length);
        Assert.AreEqual("branch:a", steps[1].Incumbent);
    }

    [TestMethod]
    public void ASingleBranchNeedsTheStricterBar()
    {
        var rule = new FusionRule("test", Sequential: false, Z: 2, ZSingleBranch: 3);
        var (candidates, outcomes) = Outcomes((FusionSelection.PaperName, 360), ("branch:a", 368));
        Assert.AreEqual(FusionSelection.PaperName, candidates[rule.Choose(candidates, outcomes).Chosen].Name, "2.9 < 3 standard errors");

        (candidates, outcomes) = Outcomes((FusionSelection.PaperName, 360), (FusionSelection.FusionHeadName, 368));
        Assert.AreEqual(FusionSelection.FusionHeadName, candidates[rule.Choose(candidates, outcomes).Chosen].Name, "2.9 > 2");
    }

    [TestMethod]
    public void EveryCandidateIsPairedWithThePapersWeightingAndTheHighestBoundWins()
    {
        var rule = new FusionRule("test", Sequential: false, Z: 2, ZSingleBranch: 2);
        var (candidates, outcomes) = Outcomes((FusionSelection.PaperName, 300), (FusionSelection.FusionHeadName, 340),
            (FusionSelection.CalibratedName, 330), (FusionSelection.StackedName, 338));
        var (chosen, steps) = rule.Choose(candidates, outcomes);

        Assert.AreEqual(FusionSelection.FusionHeadName, candidates[chosen].Name);
        Assert.IsTrue(steps.All(s => s.Incumbent == FusionSelection.PaperName), string.Join("; ", steps));
        Assert.IsTrue(steps.All(s => s.Replaced), "each clears the bar; the highest lower bound is kept: " + string.Join("; ", steps));
    }

    [TestMethod]
    public void ASmallerSureGainBeatsALargerNoisyOne()
    {
        // a: 70 rows more right and 40 fewer, gain 7.5 pt, standard error 2.6; b: 25 rows more right, gain 6.3 pt, standard error 1.2.
        var paper = RightOnFirst(300);
        var a = paper.Select((p, r) => r < 40 ? false : r < 300 || r < 370).ToArray();
        var b = RightOnFirst(325);
        FusionCandidate[] candidates = [Candidate(FusionSelection.PaperName, 300), Candidate("a", 330), Candidate("b", 325)];
        var rule = new FusionRule("test", Sequential: false, Z: 2, ZSingleBranch: 2);
        var (chosen, steps) = rule.Choose(candidates, new HeldOutOutcomes([paper, a, b], null));

        Assert.AreEqual("b", candidates[chosen].Name, string.Join("; ", steps));
        Assert.IsGreaterThan(steps[1].Gain, steps[0].Gain);
    }

    [TestMethod]
    public void ACandidateIdenticalToThePapersIsNotEligible()
    {
        var (candidates, outcomes) = Outcomes((FusionSelection.PaperName, 360), (FusionSelection.PaperT3Name, 360));
        var (chosen, steps) = FusionRule.Default.Choose(candidates, outcomes);

        Assert.AreEqual(0, chosen);
        Assert.AreEqual((0.0, 0.0, false), (steps[0].Gain, steps[0].StandardError, steps[0].Replaced));
    }

    [TestMethod]
    public void NearTiesKeepThePapersWeighting()
    {
        // Seven candidates exactly as accurate as the paper's weighting in expectation, each re-deciding 6 % of 240 held-out rows at
        // random: the one-standard-error chain drifts away from the paper most of the time; the default almost never does.
        var random = new Random(7);
        var (chain, byDefault) = (0, 0);
        const int Trials = 300;
        for (var t = 0; t < Trials; t++)
        {
            var paper = Enumerable.Range(0, 240).Select(_ => random.NextDouble() < 0.95).ToArray();
            var outcomes = new List<bool[]> { paper };
            var candidates = new List<FusionCandidate> { Candidate(FusionSelection.PaperName, 0) };
            for (var k = 0; k < 7; k++)
            {
                outcomes.Add(paper.Select(p => random.NextDouble() < 0.06 ? random.NextDouble() < 0.95 : p).ToArray());
                candidates.Add(Candidate(k < 2 ? FusionSelection.BranchPrefix + k : $"fused{k}", 0));
            }

            var held = new HeldOutOutcomes(outcomes, null);
            chain += FusionRule.Chain1.Choose(candidates, held).Chosen == 0 ? 0 : 1;
            byDefault += FusionRule.Default.Choose(candidates, held).Chosen == 0 ? 0 : 1;
        }

        Assert.IsGreaterThan(0.5, chain / (double)Trials, $"chain left the paper in {chain} of {Trials}");
        Assert.IsLessThan(0.1, byDefault / (double)Trials, $"the default left the paper in {byDefault} of {Trials}");
    }
}
