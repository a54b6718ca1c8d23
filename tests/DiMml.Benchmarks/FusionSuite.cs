using System.Globalization;
using DiMml.TestSupport;
using DiMml.Torch.Data;
using DiMml.Torch.Training;

namespace DiMml.Benchmarks;

/// <summary>
/// Issue 9's table: on two-view Fashion-MNIST tasks, each branch, joint training, the paper's fusion, calibrated fusion
/// and selected fusion, mean over seeds. Branches and calibrated/selected fusion come from one selected-fusion model (its
/// stage 1 never saw the held-out tenth); the paper's DI-MML is trained on all rows, so its heads show what holding data
/// out costs.
/// </summary>
internal static class FusionSuite
{
    private const int Classes = 10;

    private sealed record Task(string Name, string Description, string[] Views, Func<byte[], int, int, float[][]> Make);

    private static readonly Task[] Tasks =
    [
        new("halves", "top half vs bottom half (392 pixels each)", ["top", "bottom"], (image, _, _) =>
            [Slice(image, 0, 392), Slice(image, 392, 392)]),
        new("degraded", "full image (784 pixels) vs a degraded view: 7x7 average-pooled image + N(0, 0.3²) noise, padded with 343 " +
            "label-free N(0, 1) features that a network can memorise", ["image", "degraded"], (image, row, seed) =>
                [Slice(image, 0, 784), Degraded(image, row, seed)]),
    ];

    public static IEnumerable<string> Run(string dataFolder, int[] seeds, int epochs, int? rows)
    {
        var lines = new List<string>
        {
            "## Fusion against its best branch",
            "",
            string.Create(CultureInfo.InvariantCulture,
                $"Data: Fashion-MNIST from `{dataFolder}` ({rows?.ToString(CultureInfo.InvariantCulture) ?? "all 60,000"} training rows, " +
                $"10,000 test rows). " +
                $"Budget: {epochs} epochs, batch 32, lr 0.01, D = 128, hidden 256, 5 fusion-head epochs; " +
                $"seeds {string.Join(", ", seeds)}; {MachineDescription.Cpu()}, CPU libtorch; {DateTime.UtcNow:yyyy-MM-dd}. " +
                $"Mean test accuracy (%) ± sample std over seeds."),
            "",
        };
        foreach (var task in Tasks)
        {
            lines.AddRange(RunTask(task, dataFolder, seeds, epochs, rows));
        }

        return lines;
    }

    private static IEnumerable<string> RunTask(Task task, string folder, int[] seeds, int epochs, int? rows)
    {
        var results = new List<Dictionary<string, double>>();
        var choices = new List<string>();
        foreach (var seed in seeds)
        {
            using var train = Load(task, folder, "train", rows, seed);
            using var test = Load(task, folder, "t10k", null, seed);
            var result = new Dictionary<string, double>();
            using (var joint = new JointLearner(Options<TrainerOptions>(new TrainerOptions(), task, epochs, seed)).Fit(train))
            {
                result["joint"] = joint.Evaluate(test).Accuracy;
            }

            using (var paper = new DiMmlLearner(Options(new DiMmlOptions { FusionEpochs = 5 }, task, epochs, seed)).Fit(train))
            {
                var report = paper.Evaluate(test);
                result["paper"] = report.Accuracy;
                foreach (var view in task.Views)
                {
                    result[$"full:{view}"] = report.BranchAccuracy[view];
                }
            }

            using (var selected = new DiMmlLearner(Options(new DiMmlOptions { FusionEpochs = 5, Inference = InferenceFusion.Selected },
                task, epochs, seed)).Fit(train))
            {
                var report = selected.Evaluate(test);
                result["selected"] = report.Accuracy;
                foreach (var view in task.Views)
                {
                    result[view] = report.BranchAccuracy[view];
                }

                foreach (var candidate in selected.Selection!.Candidates.Where(c => c.Name is "calibrated" or "paper-t1" or "fusion-head"))
                {
                    result[candidate.Name] = selected.Evaluate(test, weighting: candidate.Weighting).Accuracy;
                }

                choices.Add(selected.Selection.Chosen.Name);
            }

            Console.WriteLine($"{task.Name} seed {seed}: " + string.Join(", ", result.Select(p => $"{p.Key} {p.Value:P2}")));
            results.Add(result);
        }

        string Cell(string key) => MeanStd(results.Select(r => r[key] * 100).ToArray());
        var best = results.Select(r => task.Views.Max(v => r[v]) * 100).ToArray();
        return
        [
            $"### {task.Name}: {task.Description}",
            "",
            $"| {task.Views[0]} branch | {task.Views[1]} branch | best branch | joint | paper fusion (T=1, all rows) | paper fusion " +
                $"(T=1, same model) | fusion head alone | calibrated fusion | selected fusion | selected - best branch | full-data heads " +
                    $"{task.Views[0]} / {task.Views[1]} |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            $"| {Cell(task.Views[0])} | {Cell(task.Views[1])} | {MeanStd(best)} | {Cell("joint")} | {Cell("paper")} | {Cell("paper-t1")} " +
                $"| {Cell("fusion-head")} | " +
            $"{Cell("calibrated")} | {Cell("selected")} | {MeanStd(results.Select((r, i) => r["selected"] * 100 - best[i]).ToArray())} | " +
            $"{Cell($"full:{task.Views[0]}")} / {Cell($"full:{task.Views[1]}")} |",
            "",
            $"Selected per seed: {string.Join(", ", choices)}.",
            "",
        ];
    }

    private static T Options<T>(T options, Task task, int epochs, int seed) where T : TrainerOptions
    {
        foreach (var view in task.Views)
        {
            options.Modalities.Add(new ModalityOptions(view) { HiddenSizes = [256] });
        }

        options.Epochs = epochs;
        options.BatchSize = 32;
        options.LearningRate = 0.01;
        options.EmbeddingSize = 128;
        options.Seed = seed;
        return options;
    }

    private static MultimodalDataset Load(Task task, string folder, string split, int? maxRows, int seed)
    {
        var (pixels, count, height, width) = IdxImages.ReadImages(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxImages.ReadLabels(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
        var rows = Math.Min(count, maxRows ?? count);
        var size = height * width;
        var views = Enumerable.Range(0, rows)
            .Select(i => task.Make(pixels.AsSpan(i * size, size).ToArray(), i, split == "train" ? seed : seed + 7919)).ToArray();
        var data = task.Views.Select((_, v) => views.SelectMany(r => r[v]).ToArray()).ToArray();
        return MultimodalDataset.FromArrays(data, views[0].Select(v => v.Length).ToArray(), labels[..rows], Classes);
    }

    private static float[] Slice(byte[] image, int start, int length) =>
        image.AsSpan(start, length).ToArray().Select(p => p / 255f).ToArray();

    // 4x4 average pooling of the 28x28 image, Gaussian noise, then label-free features; fixed per (row, seed).
    private static float[] Degraded(byte[] image, int row, int seed)
    {
        var random = new Random(HashCode.Combine(row, seed, 17));
        var pooled = new float[49];
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                pooled[y / 4 * 7 + x / 4] += image[y * 28 + x] / 255f / 16;
            }
        }

        return pooled.Select(p => p + (float)(0.3 * Gaussian(random))).Concat(Enumerable.Range(0, 343).Select(_ => (float)Gaussian(random)))
            .ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    private static string MeanStd(double[] values)
    {
        var mean = values.Average();
        var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F1} ± {std:F1}");
    }
}
