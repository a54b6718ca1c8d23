using System.Diagnostics;
using System.Globalization;
using DiMml.Torch.Data;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Benchmarks;

/// <summary>
/// Training throughput as a share of what the machine can do: each row's model FLOPs per sample (counted from the layer
/// shapes), the achieved GFLOP/s of a real DiMmlLearner stage 1 (median epoch after the first), libtorch's fp32 matmul
/// GFLOP/s measured in the same run, and their ratio; plus where the time of one stage-1 step goes.
/// </summary>
internal static class TrainingThroughput
{
    private const int Rows = 1280;
    private const int Classes = 10;

    /// <summary>One training configuration to measure.</summary>
    /// <param name="Label">Row label.</param>
    /// <param name="Encoder">Creates one modality's encoder.</param>
    /// <param name="Modality">The modality options the learner gets (shape, encoder kind, widths).</param>
    /// <param name="InputSize">Flat input size per modality.</param>
    internal sealed record Shape(string Label, Func<ModalityEncoder> Encoder, Func<string, ModalityOptions> Modality, int InputSize);

    /// <summary>The rows of the issue: 2 x ResNet-18 at D = 512 and 128 on 1x28x28, and the MLP 784->256->512.</summary>
    public static IReadOnlyList<Shape> Shapes { get; } =
    [
        new("2 x ResNet-18 1x28x28, D = 512", () => new ResNet18Encoder(new ModalityShape(1, 1, 28, 28), 512),
            name => new ModalityOptions(name) { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(1, 1, 28, 28) }, 784),
        new("2 x ResNet-18 1x28x28, D = 128", () => new ResNet18Encoder(new ModalityShape(1, 1, 28, 28), 128),
            name => new ModalityOptions(name) { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(1, 1, 28, 28) }, 784),
        new("2 x MLP 784->256->512", () => new MlpEncoder(784, [256], 512),
            name => new ModalityOptions(name) { HiddenSizes = [256] }, 784),
    ];

    /// <summary>The peak to compare with: libtorch's best fp32 matrix-multiply GFLOP/s at the current thread count over square
    /// sizes 512, 1024 and 2048 (each the median of <paramref name="repeats"/> timings).</summary>
    public static double PeakGflops(int repeats, Device device) => new[] { 512, 1024, 2048 }.Max(n => MatmulGflops(repeats, device, n));

    private static double MatmulGflops(int repeats, Device device, int n)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, device: device);
        var b = randn(n, n, device: device);
        var times = Timing.Time(repeats, () =>
        {
            using var inner = NewDisposeScope();
            a.mm(b);
        }, device);
        return 2.0 * n * n * n / (Timing.Median(times) / 1000) / 1e9;
    }

    /// <summary>Multiply-adds of one forward pass of <paramref name="encoder"/> for one sample, from its layer shapes: the
    /// convolutions of a ResNet-18 (stem 7x7/2, max-pool /2, four stages of two basic blocks, 1x1 projections where the shape
    /// changes; frames are folded into the batch) or the linear layers of an MLP. Normalisation, activations and pooling are
    /// not counted (the usual convention).</summary>
    public static long ForwardMacs(ModalityEncoder encoder) => encoder switch
    {
        ResNet18Encoder resnet => ResNetMacs(resnet.Shape, resnet.EmbeddingSize),
        _ => encoder.named_modules().Select(m => m.module).OfType<Linear>().Sum(l => l.weight!.numel()),
    };

    private static long ResNetMacs(ModalityShape shape, int embeddingSize)
    {
        static int Out(int size, int kernel, int stride, int padding) => (size + 2 * padding - kernel) / stride + 1;
        var width = embeddingSize / 8;
        var (h, w) = (Out(shape.Height, 7, 2, 3), Out(shape.Width, 7, 2, 3));
        long macs = (long)width * h * w * shape.Channels * 49;
        (h, w) = (Out(h, 3, 2, 1), Out(w, 3, 2, 1));
        var inChannels = width;
        foreach (var (channels, stride) in new[] { (width, 1), (2 * width, 2), (4 * width, 2), (8 * width, 2) })
        {
            foreach (var blockStride in new[] { stride, 1 })
            {
                (h, w) = (Out(h, 3, blockStride, 1), Out(w, 3, blockStride, 1));
                macs += (long)channels * h * w * 9 * (inChannels + channels);
                macs += blockStride != 1 || inChannels != channels ? (long)channels * h * w * inChannels : 0;
                inChannels = channels;
            }
        }

        return macs * shape.Frames;
    }

    /// <summary>Stage 1 of a real DiMmlLearner run (DUC from epoch 0, batch 64, <see cref="Rows"/> rows) with the default
    /// settings: seconds of the epochs after the first (median, fastest, slowest).</summary>
    public static (double Median, double Fastest, double Slowest) StageOneEpochSeconds(Shape shape, Device device, int epochs = 5)
    {
        using var data = Synthetic(shape.InputSize);
        using var model = new DiMmlLearner(Options(shape, epochs, fusionEpochs: 0, device)).Fit(data);
        var seconds = model.History.Where(r => r.Stage == TrainingStage.Detached && r.Epoch > 0).Select(r => r.Elapsed.TotalSeconds)
            .ToArray();
        return (Timing.Median(seconds), seconds.Min(), seconds.Max());
    }

    /// <summary>The other passes of a fit, seconds for <see cref="Rows"/> rows (medians): stage 2 (the concat fusion head on the
    /// once-encoded features, median epoch after the first), the effective-dimension pass (encoding every row, then the sets)
    /// and <c>Evaluate</c> (forward of every branch and the fusion).</summary>
    public static IReadOnlyList<(string Pass, double Seconds, double FlopsPerSample)> OtherPasses(Shape shape, int repeats,
        Device device)
    {
        using var data = Synthetic(shape.InputSize);
        using var model = new DiMmlLearner(Options(shape, epochs: 1, fusionEpochs: 4, device)).Fit(data);
        using var encoder = shape.Encoder();
        // Two modalities at 2 flops a multiply-add: each encoder, its head and its half of the concat head.
        var forward = 2.0 * 2 * (ForwardMacs(encoder) + 2L * encoder.EmbeddingSize * Classes);
        var head = 2.0 * 3 * 2L * encoder.EmbeddingSize * Classes;   // the concat head's linear layer, forward + backward
        var stageTwo = Timing.Median(model.History.Where(r => r.Stage == TrainingStage.Fusion && r.Epoch > 0)
            .Select(r => r.Elapsed.TotalSeconds));
        var dimensions = Timing.Median(Timing.Time(repeats, () =>
        {
            using var scope = NewDisposeScope();
            using var guard = no_grad();
            model.Network.eval();
            var encoded = Enumerable.Range(0, Rows / 256).Select(b =>
            {
                var (inputs, _) = data.Gather(arange(b * 256, (b + 1) * 256, dtype: ScalarType.Int64), device);
                return model.Network.Encode(inputs);
            }).ToArray();
            EffectiveDimensions.Compute([cat(encoded.Select(e => e[0]).ToArray(), 0), cat(encoded.Select(e => e[1]).ToArray(), 0)],
                data.Labels.to(device), Classes);
        })) / 1000;
        var evaluation = Timing.Median(Timing.Time(repeats, () => model.Evaluate(data))) / 1000;
        return
        [
            ("stage 2: concat fusion head on encoded features", stageTwo, head),
            ("effective-dimension pass: encode every row, then the sets", dimensions, forward),
            ("evaluation: Evaluate over every row (all branches)", evaluation, forward),
        ];
    }

    private static DiMmlOptions Options(Shape shape, int epochs, int fusionEpochs, Device? device = null) => new()
    {
        Device = device?.type == DeviceType.CUDA ? TrainingDevice.Cuda : TrainingDevice.Cpu,
        Modalities = [shape.Modality("a"), shape.Modality("b")],
        Epochs = epochs,
        BatchSize = 64,
        EmbeddingSize = shape.Label.Contains("D = 128", StringComparison.Ordinal) ? 128 : 512,
        DucStartEpoch = 0,
        FusionHead = fusionEpochs > 0 ? FusionHeadKind.Concat : FusionHeadKind.None,
        FusionEpochs = fusionEpochs,
        Inference = InferenceFusion.CertaintyWeighting,
        Seed = 0,
    };

    /// <summary>A table row: samples/s, FLOPs per sample, GFLOP/s and the share of <paramref name="peak"/>.</summary>
    public static string Row(string label, double epochSeconds, double flopsPerSample, double peak)
    {
        var samples = Rows / epochSeconds;
        var gflops = samples * flopsPerSample / 1e9;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {samples:F0} | {flopsPerSample / 1e6:F0} M | {gflops:F1} | {peak:F1} | {gflops / peak:P0} |");
    }

    /// <summary>Training FLOPs per sample of two modalities with their modality and shared heads (D x C each): forward 2 flops
    /// per multiply-add, backward twice the forward.</summary>
    public static double TrainingFlops(ModalityEncoder encoder) =>
        2 * (ForwardMacs(encoder) + 2L * encoder.EmbeddingSize * Classes) * 2.0 * 3;

    /// <summary>Where one stage-1 step of <paramref name="shape"/> goes, in ms (medians over <paramref name="steps"/> steps):
    /// data (gathering a batch), forward (encoders, heads, CE), DUC (forward of the DUC loss), backward, optimiser, host sync
    /// (reading the loss terms back).</summary>
    public static IReadOnlyList<(string Phase, double Milliseconds)> StepBreakdown(Shape shape, int steps, Device device)
    {
        using var data = Synthetic(shape.InputSize);
        using var network = new MultimodalNetwork([shape.Encoder(), shape.Encoder()], Classes, FusionHeadKind.None, seed: 0).to(device);
        using var optimizer = optim.SGD(network.parameters(), 1e-3, 0.9, 0, 1e-4);
        var duc = new DucLoss(10);
        EffectiveDimensions dimensions;
        using (var scope = NewDisposeScope())
        using (var guard = no_grad())
        {
            network.eval();
            var (inputs, labels) = data.Gather(arange(Rows, dtype: ScalarType.Int64), device);
            dimensions = EffectiveDimensions.Compute(network.Encode(inputs), labels, Classes);
        }

        network.train();
        var phases = new Dictionary<string, List<double>>();
        void Add(string phase, Stopwatch watch)
        {
            (phases.TryGetValue(phase, out var list) ? list : phases[phase] = []).Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
        }

        using var order = BatchOrder.Permutation(Rows, 0, 0);
        for (var step = 0; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            var (inputs, labels) = data.Gather(order.narrow(0, step * 64 % (Rows - 64), 64), device);
            Add("data", watch);
            var features = network.Encode(inputs);
            var terms = network.ModalityLogits(features).Concat(network.SharedLogits(features))
                .Select(l => nn.functional.cross_entropy(l, labels)).ToArray();
            var total = terms.Aggregate((x, y) => x + y);
            Sync(device);
            Add("forward (encoders, heads, CE)", watch);
            var ducLoss = duc.Forward(features, dimensions);
            Sync(device);
            Add("DUC forward", watch);
            optimizer.zero_grad();
            (total + ducLoss).backward();
            Sync(device);
            Add("backward", watch);
            using (var checksum = GradientChecksum(network))
            {
                _ = checksum.item<double>();
            }

            Add("gradient checksum (per-step non-finite check)", watch);
            using (var before = stack(network.parameters().Where(p => p.grad is not null)
                .Select(p => p.grad!.sum(ScalarType.Float64)).ToArray()).sum())
            {
                _ = before.item<double>();
            }

            Add("(not in the step) the checksum as it was: float64 sum per tensor", watch);
            optimizer.step();
            Sync(device);
            Add("optimiser", watch);
            using var values = cat(terms.Append(ducLoss).Select(t => t.detach().reshape(1)).ToArray(), 0).cpu();
            _ = values.data<float>().ToArray();
            Add("host sync (loss terms)", watch);
            if (step == 0)
            {
                phases.Clear();   // warm-up
            }
        }

        return phases.Select(p => (p.Key, Timing.Median(p.Value))).ToArray();
    }

    /// <summary>
    /// One whole stage-1 step (forward, DUC, backward, optimiser) of the learner's own step code, ms (medians), for each
    /// setting of modality-parallel (<see cref="DiMmlOptions.ParallelModalities"/>), the
    /// default first, the variants taking turns in blocks of steps (three rounds) so that the machine's drift hits them alike
    /// while each block runs with warm caches.
    /// </summary>
    public static IReadOnlyList<(bool Parallel, double Milliseconds)> StepVariants(Shape shape, int steps)
    {
        using var data = Synthetic(shape.InputSize);
        var options = Options(shape, epochs: 1, fusionEpochs: 0);
        var learner = new DiMmlLearner(options);
        var duc = new DucLoss(options.DucTemperature);
        // The default (sequential) first.
        var variants = new[] { false, true };
        var runs = variants.Select(parallel => new StepRun(shape, parallel)).ToArray();
        try
        {
            using var order = BatchOrder.Permutation(Rows, 0, 0);
            var times = runs.Select(_ => new List<double>()).ToArray();
            var block = Math.Max(3, steps / 3);
            for (var round = 0; round < 3; round++)
            {
                for (var v = 0; v < runs.Length; v++)
                {
                    // The first step of a block warms the variant's caches and allocator back up; it is not timed.
                    for (var step = 0; step <= block; step++)
                    {
                        using var scope = NewDisposeScope();
                        var batch = data.Gather(order.narrow(0, step * 64 % (Rows - 64), 64), CPU);
                        var watch = Stopwatch.StartNew();
                        runs[v].Step(learner, options, duc, new Batch(batch.Inputs, batch.Labels, null));
                        if (step > 0)
                        {
                            times[v].Add(watch.Elapsed.TotalMilliseconds);
                        }
                    }
                }
            }

            return variants.Select((parallel, i) => (parallel, Timing.Median(times[i]))).ToArray();
        }
        finally
        {
            foreach (var run in runs)
            {
                run.Dispose();
            }
        }
    }

    /// <summary>One network, its optimiser and (when parallel) its workers, stepping as stage 1 does.</summary>
    private sealed class StepRun : IDisposable
    {
        private readonly MultimodalNetwork network;
        private readonly optim.Optimizer optimizer;
        private readonly ModalityWorkers? workers;
        private readonly EffectiveDimensions dimensions;

        public StepRun(Shape shape, bool parallel)
        {
            var encoders = new[] { shape.Encoder(), shape.Encoder() };
            network = new MultimodalNetwork(encoders, Classes, FusionHeadKind.None, seed: 0);
            optimizer = optim.SGD(network.parameters(), 1e-3, 0.9, 0, 1e-4);
            workers = ModalityWorkers.TryCreate(parallel, CPU, 2);
            using var scope = NewDisposeScope();
            using var guard = no_grad();
            network.eval();
            using var data = Synthetic(shape.InputSize);
            var (inputs, labels) = data.Gather(arange(256, dtype: ScalarType.Int64), CPU);
            dimensions = EffectiveDimensions.Compute(network.Encode(inputs), labels, Classes);
            network.train();
        }

        public void Step(DiMmlLearner learner, DiMmlOptions options, DucLoss duc, Batch batch)
        {
            optimizer.zero_grad();
            string[] names = ["a", "b"];
            var result = workers is null
                ? learner.DetachedStep(network, names, duc, dimensions, batch)
                : new ParallelDetachedStep(network, options, duc, workers).Run(names, dimensions, batch);
            if (!result.GradientsComputed)
            {
                result.Total.backward();
            }

            optimizer.step();
        }

        public void Dispose()
        {
            workers?.Dispose();
            optimizer.Dispose();
            network.Dispose();
        }
    }

    /// <summary>The bf16 idea: one ResNet-18 encoder with its head, forward and backward of a batch of 64, in fp32 and with
    /// every weight and activation in bf16 (TorchSharp 0.107 has no autocast), ms (medians, taking turns); and libtorch's
    /// 1024 x 1024 matmul GFLOP/s in both types.</summary>
    public static (double Fp32, double Bf16, double MatmulFp32, double MatmulBf16) Bf16Step(int steps)
    {
        var types = new[] { ScalarType.Float32, ScalarType.BFloat16 };
        var encoders = types.Select(t => new ResNet18Encoder(new ModalityShape(1, 1, 28, 28), 512).to(t)).ToArray();
        var heads = types.Select(t => nn.Linear(512, Classes).to(t)).ToArray();
        var times = types.Select(_ => new List<double>()).ToArray();
        using var labels = arange(64, dtype: ScalarType.Int64) % Classes;
        for (var step = 0; step <= steps; step++)
        {
            for (var t = 0; t < types.Length; t++)
            {
                using var scope = NewDisposeScope();
                var input = randn(64, 784).to(types[t]);
                encoders[t].zero_grad();
                heads[t].zero_grad();
                var watch = Stopwatch.StartNew();
                nn.functional.cross_entropy(heads[t].call(encoders[t].call(input)).to(ScalarType.Float32), labels).backward();
                if (step > 0)
                {
                    times[t].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        foreach (var module in encoders.Cast<nn.Module>().Concat(heads))
        {
            module.Dispose();
        }

        return (Timing.Median(times[0]), Timing.Median(times[1]), Matmul(ScalarType.Float32), Matmul(ScalarType.BFloat16));

        double Matmul(ScalarType type)
        {
            using var scope = NewDisposeScope();
            var a = randn(1024, 1024).to(type);
            var b = randn(1024, 1024).to(type);
            var ms = Timing.Median(Timing.Time(steps, () =>
            {
                using var inner = NewDisposeScope();
                a.mm(b);
            }));
            return 2.0 * 1024 * 1024 * 1024 / (ms / 1000) / 1e9;
        }
    }

    // What SgdRun's per-step non-finite check computes (GradientCheck.Checksum).
    private static Tensor GradientChecksum(nn.Module network) =>
        stack(network.parameters().Where(p => p.grad is not null).Select(p => p.grad!.sum().to(ScalarType.Float64)).ToArray()).sum();

    // CPU operations have finished when they return; a GPU's queue is drained before a phase's time is read.
    private static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize(device);
        }
    }

    private static MultimodalDataset Synthetic(int inputSize)
    {
        var random = new Random(0);
        var labels = Enumerable.Range(0, Rows).Select(i => i % Classes).ToArray();
        float[] View() => Enumerable.Range(0, Rows * inputSize)
            .Select(i => (float)(random.NextDouble() + (labels[i / inputSize] == i % 10 ? 1 : 0)))
            .ToArray();
        return MultimodalDataset.FromArrays([View(), View()], [inputSize, inputSize], labels, Classes);
    }
}
