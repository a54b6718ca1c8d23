using DiMml.TestSupport;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

/// <summary>
/// Stage 1 with the modalities side by side (<see cref="DiMmlOptions.ParallelModalities"/>) computes the loss and gradients of
/// the step that runs them one after the other, and a fit with it is repeatable and close to the sequential fit.
/// </summary>
[TestClass]
public sealed class ParallelModalitiesTests
{
    [TestMethod]
    [DataRow(2, false, false)]
    [DataRow(2, true, false)]
    [DataRow(3, true, true)]
    public void TheParallelStepHasTheSequentialStepsLossAndGradients(int modalities, bool duc, bool weighted)
    {
        var options = Small.DiMml(modalities);
        options.Modalities[^1] = new ModalityOptions("image") { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(1, 1, 12, 12) };
        var sizes = Enumerable.Range(0, modalities).Select(m => m == modalities - 1 ? 144 : 20).ToArray();
        using var network = new MultimodalNetwork(
            sizes.Select((s, m) => options.Modalities[m].CreateEncoder(s, options.EmbeddingSize)).ToArray(), 3, FusionHeadKind.None, 5);
        network.train();
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var inputs = sizes.Select(s => randn([32, s], generator: generator)).ToArray();
        var labels = arange(32, dtype: int64) % 3;
        var batch = new Batch(inputs, labels, weighted ? rand([32], generator: generator) + 0.5 : null);
        var names = options.Modalities.Select(m => m.Name).ToArray();
        var loss = new DucLoss(options.DucTemperature);
        EffectiveDimensions? dimensions = null;
        if (duc)
        {
            using var guard = no_grad();
            dimensions = EffectiveDimensions.Compute(network.Encode(inputs), labels, 3);
        }

        // Batch-norm running statistics move on every training forward pass; both runs start from the same ones.
        var state = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        network.zero_grad();
        var sequential = new DiMmlLearner(options).DetachedStep(network, names, loss, dimensions, batch);
        sequential.Total.backward();
        var expected = Gradients(network);
        network.load_state_dict(state);
        network.zero_grad();
        StepResult parallel;
        var threads = get_num_threads();
        set_num_threads(Math.Max(threads, modalities));   // a worker per modality even on a 2-core machine
        try
        {
            using var workers = ModalityWorkers.TryCreate(true, CPU, modalities)!;
            parallel = new ParallelDetachedStep(network, options, loss, workers).Run(names, dimensions, batch);
        }
        finally
        {
            set_num_threads(threads);
        }

        Assert.IsTrue(parallel.GradientsComputed);
        CollectionAssert.AreEqual(sequential.Terms.Select(t => t.Name).ToList(), parallel.Terms.Select(t => t.Name).ToList());
        CollectionAssert.AreEqual(sequential.Logits.Select(t => t.Name).ToList(), parallel.Logits.Select(t => t.Name).ToList());
        foreach (var ((name, value), (_, other)) in sequential.Terms.Zip(parallel.Terms))
        {
            Assert.AreEqual(value.item<float>(), other.item<float>(), 1e-5, name);
        }

        Assert.AreEqual(sequential.Total.item<float>(), parallel.Total.item<float>(), 1e-5);
        var actual = Gradients(network);
        foreach (var (name, gradient) in expected)
        {
            var scale = Math.Max(gradient.abs().max().item<float>(), 1e-6f);
            Assert.IsLessThan(1e-4, (actual[name] - gradient).abs().max().item<float>() / scale, $"gradient of {name}");
        }
    }

    [TestMethod]
    public void AParallelFitIsRepeatableAndCloseToTheSequentialFit()
    {
        using var train = Synthetic.Clusters(192, 2, 8, 3, separation: 4, seed: 4);
        MultimodalModel Fit(bool parallel)
        {
            var options = Small.DiMml(2, epochs: 3);
            options.ParallelModalities = parallel;
            options.NumberOfThreads = 2;
            options.DucStartEpoch = 1;
            return new DiMmlLearner(options).Fit(train);
        }

        using var first = Fit(true);
        using var second = Fit(true);
        using var sequential = Fit(false);
        var expected = sequential.Network.state_dict();
        var again = second.Network.state_dict();
        foreach (var (name, value) in first.Network.state_dict())
        {
            Assert.IsTrue(value.equal(again[name]).all().item<bool>(), $"{name} differs between two parallel fits with one seed");
            var scale = Math.Max(expected[name].abs().max().to(float64).item<double>(), 1e-6);
            var difference = (value - expected[name]).abs().max().to(float64).item<double>();
            Assert.IsLessThan(1e-3, difference / scale, $"{name}: parallel and sequential");
        }
    }

    [TestMethod]
    public void WorkersApplyOnlyOnTheCpuWithAThreadPerModality()
    {
        Assert.IsNull(ModalityWorkers.TryCreate(false, CPU, 2));
        Assert.IsNull(ModalityWorkers.TryCreate(true, CPU, 1));
        Assert.IsNull(ModalityWorkers.TryCreate(true, CPU, get_num_threads() + 1));
        Assert.IsNull(ModalityWorkers.TryCreate(true, new Device(DeviceType.CUDA, 0), 2));
    }

    [TestMethod]
    public void AWorkersFailureReachesTheCallerAndLeavesTheThreadCountAsItWas()
    {
        var threads = get_num_threads();
        using var workers = ModalityWorkers.TryCreate(true, CPU, 2) ?? throw new AssertInconclusiveException("needs 2 threads");
        Assert.AreEqual(threads, get_num_threads());
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => workers.Run<int>(m =>
        {
            if (m == 1)
            {
                throw new InvalidOperationException("worker 1 failed");
            }

            workers.Meet();
            return m;
        }));
        Assert.AreEqual("worker 1 failed", error.Message);
        CollectionAssert.AreEqual(new[] { 0, 1 }, workers.Run(m =>
        {
            workers.Meet();
            return m;
        }));

        // Each worker keeps its own share after running parallel operations; the caller keeps its count.
        var counts = workers.Run(_ =>
        {
            using var scope = NewDisposeScope();
            randn(512, 512).mm(randn(512, 512)).sum().item<float>();
            return get_num_threads();
        });
        CollectionAssert.AreEqual(new[] { workers.ThreadsEach, workers.ThreadsEach }, counts);
        Assert.AreEqual(threads, get_num_threads());
    }

    private static Dictionary<string, Tensor> Gradients(nn.Module module) =>
        module.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
}
