using System.Diagnostics;
using System.Globalization;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;

namespace DiMml.Examples;

/// <summary>
/// With the TorchSharp core directly: trains the unimodal baselines, joint training and DI-MML on the same two-view Fashion-MNIST data
/// with the
/// same seed and epochs, and prints test accuracy of every method and branch.
/// </summary>
internal static class CoreComparison
{
    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        using var train = TwoViewFashionMnist.Load(folder, "train", args.MaxRows);
        using var test = TwoViewFashionMnist.Load(folder, "t10k");
        Console.WriteLine($"Two-view Fashion-MNIST (top/bottom halves) from {folder}: {train.Count} train rows, {test.Count} test rows, " +
            $"{args.Epochs} epochs, seed {args.Seed}");

        var results = new List<(string Method, EvaluationReport Report, TimeSpan Time)>
        {
            Measure("unimodal top", () =>
                new UnimodalLearner(Options<TrainerOptions>(args, "top")).Fit(train.SelectModalities(0)), test.SelectModalities(0)),
            Measure("unimodal bottom", () =>
                new UnimodalLearner(Options<TrainerOptions>(args, "bottom")).Fit(train.SelectModalities(1)), test.SelectModalities(1)),
            Measure("joint (concat)", () => new JointLearner(Options<TrainerOptions>(args, "top", "bottom")).Fit(train), test),
            Measure("DI-MML", () => new DiMmlLearner(Options<DiMmlOptions>(args, "top", "bottom")).Fit(train), test),
        };

        Console.WriteLine();
        Console.WriteLine($"{"method",-16} {"test acc",9} {"top head",9} {"bottom head",12} {"fusion head",12} {"train s",8}");
        foreach (var (method, report, time) in results)
        {
            Console.WriteLine($"{method,-16} {report.Accuracy,9:P1} {Branch(report, "top"),9} {Branch(report, "bottom"),12} " +
                $"{Branch(report, MultimodalModel.FusionBranchName),12} {time.TotalSeconds,8:F1}");
        }

        return 0;
    }

    private static (string, EvaluationReport, TimeSpan) Measure(string method, Func<MultimodalModel> fit, MultimodalDataset test)
    {
        Console.WriteLine($"-- {method}");
        var watch = Stopwatch.StartNew();
        using var model = fit();
        var time = watch.Elapsed;
        return (method, model.Evaluate(test), time);
    }

    private static T Options<T>(ExampleArguments args, params string[] modalities) where T : TrainerOptions, new()
    {
        var options = new T
        {
            Modalities = modalities.Select(name => new ModalityOptions(name) { HiddenSizes = [256] }).ToList(),
            Epochs = args.Epochs,
            BatchSize = 32,
            LearningRate = 0.01,
            EmbeddingSize = 128,
            Seed = (int)args.Seed,
            EpochCompleted = Print,
        };
        if (options is DiMmlOptions dimml)
        {
            dimml.FusionEpochs = 5;
        }

        return options;
    }

    private static void Print(EpochRecord r)
    {
        var losses = string.Join(" ", r.Losses.Select(p => $"{p.Key}={p.Value:F3}"));
        var accuracy = string.Join(" ", r.TrainAccuracy.Select(p => $"{p.Key}={p.Value:P1}"));
        var sets = r.EffectiveSetSizes is null ? "" : " | sets "
            + string.Join(" ", r.EffectiveSetSizes.Select(p => $"|{p.Key}|={p.Value}"));
        Console.WriteLine($"   {r.Stage} epoch {r.Epoch + 1}: {losses} | train acc {accuracy}{sets} | {r.Elapsed.TotalSeconds:F1}s");
    }

    private static string Branch(EvaluationReport report, string branch) =>
        report.BranchAccuracy.TryGetValue(branch, out var value) ? value.ToString("P1", CultureInfo.InvariantCulture) : "-";
}
