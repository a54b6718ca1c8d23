using DiMml.TestSupport;
using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;
using DiMml.Torch.Training;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

/// <summary>Example weights: a row of integer weight w must count as w copies of it in every loss, in the effective dimensions
/// and in the held-out choices.</summary>
[TestClass]
public sealed class ExampleWeightTests
{
    private static readonly int[] RowWeights = Enumerable.Range(0, 60).Select(i => 1 + (i * 7 % 3)).ToArray();   // 1, 2 and 3

    // The same rows once with weights and once with each row repeated weight times (unweighted).
    private static (MultimodalDataset Weighted, MultimodalDataset Duplicated) Pair(MultimodalDataset source, int[] weights)
    {
        var rows = Enumerable.Range(0, source.Count).ToArray();
        var repeated = rows.SelectMany(i => Enumerable.Repeat((long)i, weights[i])).ToArray();
        var features = Enumerable.Range(0, source.ModalityCount).Select(m => source.Features(m)).ToArray();
        var labels = source.Labels.data<long>().ToArray();
        var weighted = MultimodalDataset.FromArrays(features.Select(f => f.data<float>().ToArray()).ToArray(),
            source.FeatureSizes, labels.Select(y => (int)y).ToArray(), source.ClassCount, weights.Select(w => (float)w).ToArray());
        using var index = tensor(repeated);
        var duplicated = MultimodalDataset.FromArrays(features.Select(f => f.index_select(0, index).data<float>().ToArray()).ToArray(),
            source.FeatureSizes, repeated.Select(i => (int)labels[i]).ToArray(), source.ClassCount);
        return (weighted, duplicated);
    }

    [TestMethod]
    public void IntegerWeightsTrainAsDuplicatedRowsThroughBothStagesAndTheDucLoss()
    {
        using var source = Synthetic.Clusters(60, 2, 6, 3, separation: 2, seed: 21);
        var (weighted, duplicated) = Pair(source, RowWeights);
        using (weighted)
        using (duplicated)
        {
            // One full batch per epoch: with minibatches, duplicated rows would also change which rows share a batch.
            var options = Small.DiMml(2, epochs: 6);
            options.BatchSize = 512;
            options.DucStartEpoch = 2;
            options.LearningRate = 0.2;
            using var fromWeights = new DiMmlLearner(options).Fit(weighted);
            using var fromCopies = new DiMmlLearner(options).Fit(duplicated);
            using var test = Synthetic.Clusters(45, 2, 6, 3, separation: 2, seed: 21, sample: 1);
            var inputs = Enumerable.Range(0, 2).Select(test.Features).ToArray();
            using var a = fromWeights.Predict(inputs);
            using var b = fromCopies.Predict(inputs);
            var difference = (a.Probabilities - b.Probabilities).abs().max().item<float>();
            Assert.IsLessThan(1e-4f, difference, $"weighted and duplicated training differ by {difference}");
            Assert.IsTrue(fromWeights.History.Any(r => r.Losses.ContainsKey(TermNames.Duc)), "the DUC loss took part");
            CollectionAssert.AreEqual(fromCopies.Dimensions!.SetSizes(["m0", "m1"]).ToArray(),
                fromWeights.Dimensions!.SetSizes(["m0", "m1"]).ToArray(), "the same effective dimensions");
            var unweighted = new DiMmlLearner(options).Fit(source);
            using var c = unweighted.Predict(inputs);
            Assert.IsGreaterThan(1e-3f, (a.Probabilities - c.Probabilities).abs().max().item<float>(), "the weights changed the model");
            unweighted.Dispose();
        }
    }

    [TestMethod]
    public void TheWeightedDucLossIsTheLossOfTheDuplicatedBatch()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var student = randn(5, 4, generator: generator);
        var teacher = randn(5, 4, generator: generator);
        var weights = tensor(new float[] { 1, 3, 2, 1, 2 });
        var repeated = tensor(new long[] { 0, 1, 1, 1, 2, 2, 3, 4, 4 });
        var duc = new DucLoss(2.0);
        var weightedLoss = duc.Pair(student, teacher, weights).item<float>();
        // Duplicated rows: every copy contrasts against every teacher copy, and its positive is its own copy.
        var logits = student.index_select(0, repeated).matmul(teacher.index_select(0, repeated).t()) / 2.0;
        var positives = logits.diagonal();
        var expected = (logits.logsumexp(1) - positives).mean().item<float>();
        Assert.AreEqual(expected, weightedLoss, 1e-5f);
    }

    [TestMethod]
    public void TheHeldOutChoiceCountsAWeightedRowAsItsCopies()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var rows = 40;
        var labels = randint(0, 3, [rows], generator: generator);
        var logits = Enumerable.Range(0, 2)
            .Select(_ => randn(rows, 3, generator: generator) * 2 + nn.functional.one_hot(labels, 3) * 1.5).ToArray();
        var weights = RowWeights.Take(rows).ToArray();
        var repeated = tensor(Enumerable.Range(0, rows).SelectMany(i => Enumerable.Repeat((long)i, weights[i])).ToArray());

        var weightedTemperatures = TemperatureScaling.Fit(logits, labels, tensor(weights.Select(w => (float)w).ToArray()));
        var copiedTemperatures = TemperatureScaling.Fit(logits.Select(z => z.index_select(0, repeated)).ToArray(),
            labels.index_select(0, repeated));
        for (var k = 0; k < 2; k++)
        {
            Assert.AreEqual(copiedTemperatures[k], weightedTemperatures[k], 1e-6 * copiedTemperatures[k]);
        }

        var lp = stack(logits, 1).log_softmax(2);
        var certainty = full(rows, 2, 0.5f);
        var weightedCombiner = CombinerFitting.FitWith(BranchCombinerKind.Stacked, lp, certainty, labels, 1e-2,
            tensor(weights.Select(w => (float)w).ToArray()));
        var copiedCombiner = CombinerFitting.FitWith(BranchCombinerKind.Stacked, lp.index_select(0, repeated),
            certainty.index_select(0, repeated), labels.index_select(0, repeated), 1e-2);
        var largest = weightedCombiner.Weights.Zip(copiedCombiner.Weights, (x, y) => Math.Abs(x - y)).Max();
        Assert.IsLessThan(1e-4, largest, $"combiner weights differ by {largest}");

        var candidate = Enumerable.Range(0, rows).Select(i => i % 3 != 0).ToArray();
        var incumbent = Enumerable.Range(0, rows).Select(i => i % 4 != 0).ToArray();
        var copies = repeated.data<long>().ToArray();
        var (gain, error) = FusionSelection.PairedGain(candidate, incumbent, weights.Select(w => (double)w).ToArray());
        var (copiedGain, copiedError) = FusionSelection.PairedGain(copies.Select(i => candidate[i]).ToArray(),
            copies.Select(i => incumbent[i]).ToArray());
        Assert.AreEqual(copiedGain, gain, 1e-12);
        Assert.AreEqual(copiedError, error, 1e-12);
    }
}
