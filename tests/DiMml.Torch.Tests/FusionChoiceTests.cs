using DiMml.Torch.Calibration;
using DiMml.Torch.Inference;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

/// <summary>The fusion choice on given held-out logits: cross-fitted candidates, the choice rule and the learnt
/// combiners, without training a network.</summary>
[TestClass]
public sealed class FusionChoiceTests
{
    private const int Classes = 4;

    // Logits that put `confidence` on `predicted` classes and noise elsewhere.
    private static Tensor Logits(long[] predicted, double confidence, Generator generator)
    {
        var noise = randn(predicted.Length, Classes, ScalarType.Float32, generator: generator);
        return noise + confidence * nn.functional.one_hot(tensor(predicted), Classes).to(ScalarType.Float32);
    }

    private static long[] Labels(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => (long)random.Next(Classes)).ToArray();
    }

    // Right with probability `accuracy`, else a random other class.
    private static long[] Noisy(long[] labels, double accuracy, int seed)
    {
        var random = new Random(seed);
        return labels.Select(y => random.NextDouble() < accuracy ? y : (y + 1 + random.Next(Classes - 1)) % Classes).ToArray();
    }

    private static FusionChoiceSettings Settings => new(1.0, HasFusionBranch: false, Select: true, Seed: 5);

    [TestMethod]
    public void PairedGainIsTheMeanDifferenceWithItsStandardError()
    {
        var (gain, error) = FusionSelection.PairedGain([true, true, false, true], [true, false, false, false]);
        Assert.AreEqual(0.5, gain, 1e-12);
        Assert.AreEqual(Math.Sqrt(1.0 / 3 / 4), error, 1e-12);   // differences 0,1,0,1: sample variance 1/3
        Assert.AreEqual((0.0, 0.0), FusionSelection.PairedGain([true, false], [true, false]));
    }

    [TestMethod]
    public void EqualCandidatesKeepThePapersWeighting()
    {
        // Two equally good, independent branches: every sensible fusion is about as accurate, so nothing clears two standard errors.
        using var generator = new Generator(1);
        var labels = Labels(600, 1);
        using var y = tensor(labels);
        using var a = Logits(Noisy(labels, 0.8, 2), 3, generator);
        using var b = Logits(Noisy(labels, 0.8, 3), 3, generator);
        var selection = FusionSelection.Fit(["a", "b"], [a, b], y, Settings);

        Assert.AreEqual(FusionSelection.PaperName, selection.Chosen.Name, string.Join(", ", selection.Comparisons));
        Assert.AreEqual(selection.Candidates.Count - 1, selection.Comparisons.Count);
        Assert.IsTrue(selection.Comparisons.All(c => !c.Replaced || c.Gain > 2 * c.StandardError));
    }

    [TestMethod]
    public void AConfidentlyWrongBranchIsLeftOut()
    {
        // Branch b is pure noise but as confident as a: the paper's weighting follows it half the time.
        using var generator = new Generator(2);
        var labels = Labels(600, 4);
        using var y = tensor(labels);
        using var a = Logits(Noisy(labels, 0.9, 5), 4, generator);
        var random = new Random(13);
        using var b = Logits(labels.Select(_ => (long)random.Next(Classes)).ToArray(), 6, generator);
        var selection = FusionSelection.Fit(["a", "b"], [a, b], y, Settings);

        var paper = selection.Candidates.Single(c => c.Name == FusionSelection.PaperName).HeldOutAccuracy;
        Assert.AreNotEqual(FusionSelection.PaperName, selection.Chosen.Name);
        Assert.IsGreaterThan(paper + 0.1, selection.Chosen.HeldOutAccuracy, $"paper {paper:P1}, chosen {selection.Chosen}");
    }

    [TestMethod]
    public void TheStackedCombinerUndoesASystematicConfusion()
    {
        // Branch b names the next class instead of the right one: a class map that no weighting of branches can undo.
        using var generator = new Generator(3);
        var labels = Labels(800, 6);
        using var y = tensor(labels);
        using var a = Logits(Noisy(labels, 0.6, 7), 2, generator);
        using var b = Logits(Noisy(labels, 0.9, 8).Select(c => (c + 1) % Classes).ToArray(), 4, generator);
        var selection = FusionSelection.Fit(["a", "b"], [a, b], y, Settings);

        var accuracies = string.Join(", ", selection.Candidates.Select(c => $"{c.Name} {c.HeldOutAccuracy:P1}"));
        Assert.AreEqual(FusionSelection.StackedName, selection.Chosen.Name, accuracies);
        var calibrated = selection.Candidates.Single(c => c.Name == FusionSelection.CalibratedName).HeldOutAccuracy;
        Assert.IsGreaterThan(calibrated + 0.2, selection.Chosen.HeldOutAccuracy, accuracies);
    }

    [TestMethod]
    public void CrossFittingKeepsALearntCombinerHonestOnNoise()
    {
        // Labels unrelated to the logits: in-sample, a K·C² regression fits some of the noise; cross-fitted, it scores chance.
        using var generator = new Generator(4);
        var labels = Labels(200, 9);
        using var y = tensor(labels);
        using var a = randn(200, Classes, generator: generator);
        using var b = randn(200, Classes, generator: generator);
        var selection = FusionSelection.Fit(["a", "b"], [a, b], y, Settings);

        var stacked = selection.Candidates.Single(c => c.Name == FusionSelection.StackedName);
        Assert.IsLessThan(0.25 + 0.1, stacked.HeldOutAccuracy);
        Assert.AreEqual(FusionSelection.PaperName, selection.Chosen.Name);
    }

    [TestMethod]
    public void AFittedCombinerLowersTheNllItWasFittedOn()
    {
        using var generator = new Generator(5);
        var labels = Labels(400, 10);
        using var y = tensor(labels);
        using var logProbabilities = stack([Logits(Noisy(labels, 0.7, 11), 2, generator), Logits(Noisy(labels, 0.6, 12), 2, generator)], 1)
            .log_softmax(2);
        using var weights = full(400, 2, 0.5);
        foreach (var kind in Enum.GetValues<BranchCombinerKind>())
        {
            var prior = CombinerFitting.FitWith(kind, logProbabilities, weights, y, 1e6);    // a huge penalty leaves the prior
            var fitted = CombinerFitting.FitWith(kind, logProbabilities, weights, y, 1e-4);
            var chosen = CombinerFitting.Fit(kind, logProbabilities, weights, y, seed: 1);
            var priorNll = CombinerFitting.NegativeLogLikelihood(prior, logProbabilities, weights, y);
            Assert.IsLessThan(priorNll, CombinerFitting.NegativeLogLikelihood(fitted, logProbabilities, weights, y), kind.ToString());
            Assert.IsLessThanOrEqualTo(priorNll + 1e-9, CombinerFitting.NegativeLogLikelihood(chosen, logProbabilities, weights, y));
            Assert.AreEqual(kind == BranchCombinerKind.PerClass ? 1.0 : 0.0, prior.Weights[1], 1e-3, kind.ToString());
        }
    }
}
