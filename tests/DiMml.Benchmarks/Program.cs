using System.Globalization;
using DiMml;
using DiMml.Benchmarks;
using DiMml.Torch.Data;
using DiMml.Torch.Export;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static DiMml.Benchmarks.Timing;
using static TorchSharp.torch;

// Suites, each writing its own section of RESULTS.md with --write (see --help):
//   dotnet run --project tests/DiMml.Benchmarks -c Release [-- speed] [--quick] [--threads N] [--device cpu|cuda] [--write FILE]
//   dotnet run --project tests/DiMml.Benchmarks -c Release -- pipeline [--data DIR] [--epochs 2] [--predictions 20000] [--write FILE]
//   dotnet run --project tests/DiMml.Benchmarks -c Release -- fusion [--data DIR] [--seeds 0,1,2] [--epochs 10] [--rows N]
//       [--tasks a,b] [--clips N] [--fsdd DIR] [--mnist-digits DIR] [--export DIR] [--write FILE]
//   dotnet run --project tests/DiMml.Benchmarks -c Release -- serving [--data DIR] [--epochs 2] [--seconds 5] [--write FILE]
//   dotnet run --project tests/DiMml.Benchmarks -c Release -- video [--clips 20] [--write FILE]
if (args.Length > 0 && args[0] == "pipeline-phase")
{
    return PipelineSuite.Phase(args[1..]);   // a child process of the pipeline suite, not a user command
}

return BenchmarkCommands.Build(
    args,
    (parsed, threads) =>
        SpeedFigures(parsed.GetValue<bool>("--quick") ? 5 : 21, threads, TrainingDevice(parsed.GetValue<string>("--device")!)),
    (parsed, threads) =>
        PipelineSuite.Run(parsed.GetValue<string>("--data")!, parsed.GetValue<int>("--epochs"), parsed.GetValue<int>("--predictions"),
            threads).ToList(),
    (parsed, _) =>
    {
        var settings = new FusionSuiteSettings(parsed.GetValue<string>("--data")!,
            BenchmarkCommands.Seeds(parsed.GetValue<string>("--seeds")!), parsed.GetValue<int>("--epochs"), parsed.GetValue<int?>("--rows"),
            parsed.GetValue<string?>("--tasks")?.Split(','), parsed.GetValue<string>("--speech-folder")!, parsed.GetValue<int>("--clips"),
            parsed.GetValue<string>("--fsdd")!, parsed.GetValue<string>("--mnist-digits")!, parsed.GetValue<string>("--digits-folder")!);
        return parsed.GetValue<string?>("--export") is { } folder
            ? TaskCsv.Write(FusionSuite.Tasks(settings), folder).ToList()
            : FusionSuite.Run(settings).ToList();
    },
    (parsed, threads) => ServingLoad.Run(parsed.GetValue<string>("--data")!, parsed.GetValue<int>("--epochs"),
        parsed.GetValue<double>("--seconds"), threads).ToList(),
    (parsed, _) => VideoDecodeSuite.Run(parsed.GetValue<int>("--clips")).ToList()).Parse(args).Invoke();

static Device TrainingDevice(string name) => name switch
{
    "cpu" => CPU,
    "cuda" when cuda.is_available() => CUDA,
    "cuda" => throw new ArgumentException("--device cuda: no CUDA device is visible to libtorch; build the benchmarks with " +
        "-p:TorchBackend=cuda (a CUDA libtorch instead of the CPU bundle) on a machine with a GPU."),
    _ => throw new ArgumentException($"--device takes cpu or cuda, got '{name}'."),
};

static List<string> SpeedFigures(int repeats, int threads, Device device)
{
    var lines = new List<string>
    {
        "## Speed",
        "",
        device.type == DeviceType.CUDA
            ? "Device: CUDA for the DUC and training-step rows; ONNX scoring on the CPU."
            : "GPU: not measured (no GPU on the machine that ran this; CUDA TorchSharp cannot be restored on our build machines; " +
                "`--device cuda` runs these rows on a GPU).",
        "Training-step rows compare two modalities with one (the baseline), so their ratio is a cost, not a speed-up.",
        "Timings on shared machines are noisy: compare within a run.",
        "",
        $"Machine: {MachineDescription.Cpu()}, {threads} libtorch thread(s), {device.type}; {DateTime.UtcNow:yyyy-MM-dd}; medians of " +
            $"{repeats} timings.",
        "",
        "| figure | ours | baseline | baseline / ours |",
        "| --- | --- | --- | --- |",
        DucLossVersusNaiveLoop(batch: 64, dims: 128, repeats, device),
    };
    foreach (var batch in new[] { 16, 64 })
    {
        lines.Add(TrainingStep("MLP 784->256->512", batch, repeats, () => new MlpEncoder(784, [256], 512), 784, device));
        foreach (var embedding in new[] { 32, 128 })
        {
            lines.Add(TrainingStep($"ResNet-18 1x28x28, D={embedding}", batch, Math.Max(3, repeats / 3), () =>
                new ResNet18Encoder(new ModalityShape(1, 1, 28, 28), embedding), 784, device));
        }
    }

    lines.Add(OnnxVersusTorchScoring(rows: 256, repeats));
    lines.AddRange(ShareOfPeak(repeats, device));
    return lines;
}

// Stage-1 training of a real learner against the machine's fp32 matmul rate, and where one step's time goes.
static IEnumerable<string> ShareOfPeak(int repeats, Device device)
{
    var peak = TrainingThroughput.PeakGflops(repeats, device);
    yield return "";
    yield return "### Training passes as a share of peak";
    yield return "";
    yield return "DiMmlLearner stage 1, 1,280 rows, batch 64, DUC from epoch 0, median epoch after the first; then, for the first " +
        "shape, stage 2 (median epoch after the first), the effective-dimension pass and Evaluate over the same rows. FLOPs " +
        "per sample: two modalities' forward multiply-adds counted from the layer shapes (convolutions and linear layers), x 2 " +
        "flops, x 3 where a backward pass follows. Peak: libtorch's best fp32 matmul (square, 512 to 2048) at the same " +
        "thread count, same run.";
    yield return "";
    yield return "| pass | samples/s | FLOPs/sample | GFLOP/s | matmul GFLOP/s | share of peak |";
    yield return "| --- | --- | --- | --- | --- | --- |";
    foreach (var shape in TrainingThroughput.Shapes)
    {
        using var encoder = shape.Encoder();
        var flops = TrainingThroughput.TrainingFlops(encoder);
        var (median, fastest, slowest) = TrainingThroughput.StageOneEpochSeconds(shape, device);
        yield return TrainingThroughput.Row($"stage 1, {shape.Label} (epochs {fastest:F2}-{slowest:F2} s)", median, flops, peak);
    }

    var main = TrainingThroughput.Shapes[0];
    foreach (var (pass, seconds, flops) in TrainingThroughput.OtherPasses(main, Math.Min(repeats, 5), device))
    {
        yield return TrainingThroughput.Row($"{main.Label}, {pass}", seconds, flops, peak);
    }

    yield return "";
    yield return $"Where one stage-1 step of {main.Label}, batch 64, goes (medians of {Math.Max(5, repeats)} steps):";
    yield return "";
    yield return "| phase | ms |";
    yield return "| --- | --- |";
    foreach (var (phase, ms) in TrainingThroughput.StepBreakdown(main, Math.Max(5, repeats), device))
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"| {phase} | {ms:F2} |");
    }

    if (device.type != DeviceType.CPU)
    {
        yield break;
    }

    foreach (var line in StepIdeas(repeats))
    {
        yield return line;
    }
}

// The speed ideas of issue 17 against each other in one run: the learner's stage-1 step with and without modality-parallel,
// and the bf16 step that was not kept (channels-last was dropped in issue 26: wrong gradients on some CPUs).
static IEnumerable<string> StepIdeas(int repeats)
{
    yield return "";
    yield return "The stage-1 step (forward, DUC, backward, optimiser; the learner's own step code, batch 64), the variants taking " +
        "turns in blocks of steps, three rounds. Modality-parallel: each encoder's forward and backward on its own thread at " +
        "an equal share of libtorch's threads (needs a thread per modality; opt-in). The first row of each shape is the default:";
    yield return "";
    yield return "| shape | modality-parallel | ms per step | vs off |";
    yield return "| --- | --- | --- | --- |";
    foreach (var shape in TrainingThroughput.Shapes)
    {
        var variants = TrainingThroughput.StepVariants(shape, Math.Max(5, repeats));
        var baseline = variants.First(v => !v.Parallel).Milliseconds;
        foreach (var (parallel, ms) in variants)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Label} | {(parallel ? "on" : "off")} | {ms:F1} | {baseline / ms:F2}x |");
        }
    }

    var (fp32, bf16, matmulFp32, matmulBf16) = TrainingThroughput.Bf16Step(Math.Max(5, repeats));
    yield return "";
    yield return string.Create(CultureInfo.InvariantCulture,
        $"bf16 (not kept): one ResNet-18 encoder (D = 512) with its head, forward + backward of 64 rows: {fp32:F1} ms in fp32, " +
        $"{bf16:F1} ms with weights and activations in bf16 ({fp32 / bf16:F2}x); 1024 x 1024 matmul: {matmulFp32:F0} GFLOP/s fp32, " +
        $"{matmulBf16:F0} GFLOP/s bf16.");
}

static string Row(string figure, double ours, string oursUnit, double baseline, string baselineLabel) =>
    string.Create(CultureInfo.InvariantCulture, $"| {figure} | {ours:F3} {oursUnit} | {baseline:F3} {oursUnit} ({baselineLabel}) | " +
        $"{baseline / ours:F1}x |");

// The vectorised DUC loss against the reference's per-sample loop, same inputs, forward and backward.
static string DucLossVersusNaiveLoop(int batch, int dims, int repeats, Device device)
{
    var sets = new EffectiveDimensions(
        [Enumerable.Range(0, dims).Select(d => d % 3 == 0 ? 1f : 0f).ToArray(), Enumerable.Range(0, dims).Select(d => d % 3 == 1 ? 1f : 0f)
            .ToArray()],
        [new bool[dims], new bool[dims]]);
    var loss = new DucLoss(10);
    var ours = Median(Time(repeats, () =>
    {
        using var scope = NewDisposeScope();
        var a = randn(batch, dims, device: device).requires_grad_();
        var v = randn(batch, dims, device: device).requires_grad_();
        loss.Forward([a, v], sets).backward();
    }, device));
    var naive = Median(Time(repeats, () =>
    {
        using var scope = NewDisposeScope();
        var a = randn(batch, dims, device: device).requires_grad_();
        var v = randn(batch, dims, device: device).requires_grad_();
        var total = zeros(1, device: device);
        foreach (var (teacher, student) in sets.OrderedPairs())
        {
            using var index = tensor(sets.Transfer(teacher, student).Select(d => (long)d).ToArray(), device: device);
            var f = new[] { a, v };
            var s = f[student].index_select(1, index);
            var t = f[teacher].index_select(1, index).detach();
            for (var i = 0; i < batch; i++)
            {
                var logits = s[i].unsqueeze(0).matmul(t.t()) / 10.0;
                total = total - (logits[0, i].exp() / logits.exp().sum()).log();
            }
        }

        (total / batch).backward();
    }, device));
    return Row($"DUC loss, 2 modalities, batch {batch}, D = {dims} (forward + backward)", ours, "ms", naive, "per-sample loop");
}

// One optimisation step of two encoders + modality heads (CE) against the same step for one encoder: the cost of a
// second modality.
static string TrainingStep(string encoder, int batch, int repeats, Func<ModalityEncoder> create, int inputSize, Device device)
{
    double Step(int modalities)
    {
        using var network = new MultimodalNetwork(Enumerable.Range(0, modalities).Select(_ => create()).ToArray(), 10, FusionHeadKind.None,
            seed: 0).to(device);
        using var optimizer = optim.SGD(network.parameters(), 0.01, 0.9);
        return Median(Time(repeats, () =>
        {
            using var scope = NewDisposeScope();
            var inputs = Enumerable.Range(0, modalities).Select(_ => randn(batch, inputSize, device: device)).ToArray();
            var labels = randint(10, [batch], device: device);
            var loss = network.ModalityLogits(network.Encode(inputs)).Select(l => nn.functional.cross_entropy(l, labels))
                .Aggregate((x, y) => x + y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }, device));
    }

    return Row($"training step, 2 x {encoder}, batch {batch}", Step(2), "ms", Step(1), "one modality");
}

// Batched ONNX Runtime scoring of an exported model against TorchSharp's forward pass of the same model.
static string OnnxVersusTorchScoring(int rows, int repeats)
{
    using var data = MultimodalDataset.FromArrays(
        [Enumerable.Range(0, 512 * 392).Select(i => (float)Math.Sin(i)).ToArray(), Enumerable.Range(0, 512 * 392)
            .Select(i => (float)Math.Cos(i)).ToArray()],
        [392, 392], Enumerable.Range(0, 512).Select(i => i % 10).ToArray(), 10);
    var options = new DiMmlOptions
    {
        Modalities = [new ModalityOptions("top"), new ModalityOptions("bottom")],
        Epochs = 1,
        BatchSize = 64,
        EmbeddingSize = 128,
        FusionEpochs = 1
    };
    using var model = new DiMmlLearner(options).Fit(data);
    using var session = new InferenceSession(OnnxExport.ToBytes(model, ["top", "bottom"], OnnxLayout.Batched));
    var inputs = new[] { data.Features(0)[..rows].contiguous(), data.Features(1)[..rows].contiguous() };
    var values = inputs.Select((x, m) =>
        NamedOnnxValue.CreateFromTensor(m == 0 ? "top" : "bottom", new DenseTensor<float>(x.data<float>().ToArray(), [rows, 392])))
            .ToArray();
    var onnx = Median(Time(repeats, () =>
    {
        using var results = session.Run(values);
    }));
    var torchSharp = Median(Time(repeats, () =>
    {
        using var prediction = model.Predict(inputs);
    }));
    return Row(string.Create(CultureInfo.InvariantCulture, $"scoring {rows} rows, 2 x MLP, D = 128, ONNX Runtime batched " +
        $"({rows / onnx * 1000:F0} rows/s)"),
        onnx, "ms", torchSharp, "TorchSharp forward");
}
