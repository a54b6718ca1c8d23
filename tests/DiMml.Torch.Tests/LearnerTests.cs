using DiMml.TestSupport;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class LearnerTests
{
    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void BothStagesReachHighAccuracyOnSeparableData(int modalities)
    {
        using var train = Synthetic.Clusters(600, modalities, 16, 4, separation: 6, seed: 1);
        using var test = Synthetic.Clusters(400, modalities, 16, 4, separation: 6, seed: 1, sample: 1);
        var options = Small.DiMml(modalities);
        using var model = new DiMmlLearner(options).Fit(train);
        var report = model.Evaluate(test);

        Assert.IsGreaterThanOrEqualTo(0.95, report.Accuracy, $"fused accuracy {report.Accuracy}");
        Assert.AreEqual(modalities + 1, report.BranchAccuracy.Count);
        Assert.AreEqual(options.Epochs, model.History.Of(TrainingStage.Detached).Count());
        Assert.AreEqual(options.FusionEpochs, model.History.Of(TrainingStage.Fusion).Count());
        var ducStart = model.History[options.ResolvedDucStartEpoch];
        Assert.IsNotNull(ducStart.EffectiveSetSizes, "sets are computed and recorded at the DUC start epoch");
        Assert.IsTrue(ducStart.Losses.ContainsKey("duc"));
        Assert.IsFalse(model.History[0].Losses.ContainsKey("duc"), "no DUC before its start epoch");
        Assert.AreEqual(modalities * modalities, ducStart.EffectiveSetSizes!.Count);
    }

    [TestMethod]
    public void SameSeedGivesIdenticalWeightsAndOtherSeedDoesNot()
    {
        using var train = Synthetic.Clusters(200, 2, 8, 3, separation: 4, seed: 2);
        using var a = new DiMmlLearner(Small.DiMml(2, epochs: 4, seed: 11)).Fit(train);
        using var b = new DiMmlLearner(Small.DiMml(2, epochs: 4, seed: 11)).Fit(train);
        using var c = new DiMmlLearner(Small.DiMml(2, epochs: 4, seed: 12)).Fit(train);

        var weightsA = a.Network.state_dict();
        var weightsB = b.Network.state_dict();
        var weightsC = c.Network.state_dict();
        foreach (var (name, value) in weightsA)
        {
            Assert.IsTrue(value.equal(weightsB[name]).all().item<bool>(), $"{name} differs between two runs with the same seed");
        }

        Assert.IsTrue(weightsA.Any(p => !p.Value.equal(weightsC[p.Key]).all().item<bool>()), "a different seed gave the same weights");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void LiveTensorCountIsFlatAcrossEpochs(bool parallelModalities)
    {
        using var train = Synthetic.Clusters(256, 2, 8, 3, separation: 4, seed: 3);
        var live = new List<long>();
        var options = Small.DiMml(2, epochs: 8);
        options.DucStartEpoch = 1;
        options.ParallelModalities = parallelModalities;
        options.NumberOfThreads = 2;
        options.EpochCompleted = _ =>
        {
            GC.Collect();
            // Process-wide: stage 1 runs the modalities on worker threads, and this thread disposes what they hand back.
            live.Add(Tensor.TotalCount);
        };
        using (new DiMmlLearner(options).Fit(train))
        {
            // Epoch 0 creates the optimiser state, epoch 1 the effective-dimension sets; after that nothing may accumulate.
            var detached = live.Skip(2).Take(options.Epochs - 2).ToArray();
            var fusion = live.Skip(options.Epochs + 1).ToArray();
            Assert.AreEqual(1, detached.Distinct().Count(), $"live tensors per epoch: {string.Join(", ", live)}");
            Assert.AreEqual(1, fusion.Distinct().Count(), $"live tensors per epoch: {string.Join(", ", live)}");
        }
    }

    [TestMethod]
    public void DucChangesOnlyTheStudentsGradient()
    {
        // Only D(0→1) is non-empty, so modality 0 is the teacher and modality 1 the student.
        var sets = new Losses.EffectiveDimensions(
            [Enumerable.Range(0, 32).Select(d => d < 10 ? 1f : 0f).ToArray(), new float[32]],
            [new bool[32], new bool[32]]);
        Assert.AreEqual(0, sets.Transfer(1, 0).Count);
        using var train = Synthetic.Clusters(32, 2, 8, 3, separation: 4, seed: 4);
        using var network = new MultimodalNetwork(
            Small.Modalities(2).Select(s => s.CreateEncoder(8, 32)).ToArray(), 3, FusionHeadKind.None, seed: 5);
        var inputs = new[] { train.Features(0), train.Features(1) };

        Dictionary<string, Tensor> Gradients(bool withDuc)
        {
            network.zero_grad();
            using var scope = NewDisposeScope();
            var features = network.Encode(inputs);
            var loss = network.ModalityLogits(features).Zip(network.SharedLogits(features))
                .Select(p => nn.functional.cross_entropy(p.First, train.Labels) + nn.functional.cross_entropy(p.Second, train.Labels))
                .Aggregate((x, y) => x + y);
            if (withDuc)
            {
                loss = loss + new Losses.DucLoss().Forward(features, sets);
            }

            loss.backward();
            return network.named_parameters().Where(p => p.parameter.grad is not null)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone().DetachFromDisposeScope());
        }

        var without = Gradients(false);
        var with = Gradients(true);
        var teacher = without.Keys.Where(k => k.StartsWith("encoders.0.", StringComparison.Ordinal)).ToArray();
        var student = without.Keys.Where(k => k.StartsWith("encoders.1.", StringComparison.Ordinal)).ToArray();
        Assert.IsNotEmpty(teacher);
        Assert.IsNotEmpty(student);
        foreach (var name in teacher)
        {
            Assert.IsTrue(with[name].equal(without[name]).all().item<bool>(), $"DUC changed the teacher's gradient of {name}");
        }

        Assert.IsTrue(student.Any(name => !with[name].allclose(without[name])), "DUC did not change the student's gradient");
        foreach (var g in with.Values.Concat(without.Values))
        {
            g.Dispose();
        }
    }

    [TestMethod]
    [DataRow(FusionHeadKind.Concat)]
    [DataRow(FusionHeadKind.Sum)]
    [DataRow(FusionHeadKind.Film)]
    [DataRow(FusionHeadKind.Gated)]
    public void JointBaselineLearnsWithEveryFusionHead(FusionHeadKind fusion)
    {
        using var train = Synthetic.Clusters(400, 2, 16, 4, separation: 6, seed: 6);
        using var test = Synthetic.Clusters(200, 2, 16, 4, separation: 6, seed: 6, sample: 1);
        var options = Small.Baseline(2);
        options.FusionHead = fusion;
        using var model = new JointLearner(options).Fit(train);
        Assert.AreEqual(ModelKind.Joint, model.Kind);
        Assert.IsGreaterThanOrEqualTo(0.9, model.Evaluate(test).Accuracy);
    }

    [TestMethod]
    public void UnimodalBaselineLearnsOneModality()
    {
        using var train = Synthetic.Clusters(400, 2, 16, 4, separation: 6, seed: 7);
        using var test = Synthetic.Clusters(200, 2, 16, 4, separation: 6, seed: 7, sample: 1);
        using var model = new UnimodalLearner(Small.Baseline(1)).Fit(train.SelectModalities(1));
        var report = model.Evaluate(test.SelectModalities(1));
        Assert.IsGreaterThanOrEqualTo(0.9, report.Accuracy);
        CollectionAssert.AreEqual(new[] { "m0" }, report.BranchAccuracy.Keys.ToArray());
    }

    [TestMethod]
    public void MissingModalityDropsItsBranchAndTheFusionBranch()
    {
        using var train = Synthetic.Clusters(200, 2, 8, 3, separation: 5, seed: 8);
        using var model = new DiMmlLearner(Small.DiMml(2, epochs: 4)).Fit(train);
        using var scope = NewDisposeScope();
        var top = train.Features(0)[..4].clone();
        var bottom = train.Features(1)[..4].clone();
        bottom[1] = full(8, float.NaN);
        using var prediction = model.Predict([top, bottom]);

        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f }, prediction.Weights[1].data<float>().ToArray());
        Assert.IsTrue(prediction.Probabilities[1].allclose(prediction.BranchLogits[0][1].softmax(0)));
        Assert.IsFalse(prediction.Probabilities.isnan().any().item<bool>());
        Assert.IsTrue(prediction.Weights[0].gt(0).all().item<bool>());
    }

    [TestMethod]
    public void FilmAndGatedRejectThreeModalities()
    {
        using var train = Synthetic.Clusters(60, 3, 4, 3, separation: 4, seed: 9);
        var options = Small.DiMml(3);
        options.FusionHead = FusionHeadKind.Film;
        var error = Assert.ThrowsExactly<ArgumentException>(() => new DiMmlLearner(options).Fit(train));
        StringAssert.Contains(error.Message, "exactly 2 modalities");
    }

    [TestMethod]
    public void CudaRequestFailsClearlyWithoutAGpu()
    {
        if (cuda.is_available())
        {
            Assert.Inconclusive("A CUDA device is present.");
        }

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => DeviceSelection.Resolve(TrainingDevice.Cuda));
        StringAssert.Contains(error.Message, "libtorch-cuda-12.8-linux-x64");
        Assert.AreEqual(DeviceType.CPU, DeviceSelection.Resolve(TrainingDevice.Auto).type);
    }
}
