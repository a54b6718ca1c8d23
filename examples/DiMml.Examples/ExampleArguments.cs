using System.Globalization;
namespace DiMml.Examples;

/// <summary>Command-line options shared by the examples.</summary>
internal sealed record ExampleArguments(
    string Command, string? DataFolder, int Epochs, long Seed, int? MaxRows, int Threads, int Embedding, int Repeat, int BudgetMegabytes, string? OutputFolder,
    int Predictions)
{
    public const string Usage = """
        usage: dotnet run --project examples/DiMml.Examples -- [quickstart] [options]
          quickstart            DI-MML in an ML.NET pipeline on two-view Fashion-MNIST: train, evaluate,
                                save, reload, predict (default)
          core                  the TorchSharp core alone: unimodal, joint and DI-MML side by side
          images                the halves written as PNG files, LoadImages -> ExtractPixels -> DI-MML with
                                ResNet-18 encoders and random-crop augmentation
          streaming             training data over the memory budget, streamed from a lazy IDataView: prints
                                epoch time, share of it spent waiting for data, peak RSS
          audio                 spoken class names (espeak-ng: apt-get install espeak-ng) + Fashion-MNIST images:
                                WAV -> mel spectrogram -> ResNet-18, image -> MLP; unimodal, joint and DI-MML
                                (--rows = clips per class, default 60)
          soak                  --predictions N single-row predictions through one PredictionEngine of a saved model;
                                fails when resident memory grows > 10 % after the first tenth, at least 20,000 (default 1,000,000)
          export-csv            writes the two views as train.csv / test.csv (Label,t0..t391,b0..b391) for
                                `dotnet run --project src/DiMml.Cli -- compare`
        options:
          --data DIR            folder with Fashion-MNIST IDX files (default: the subset shipped in examples/data;
                                the full set: /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)
          --epochs N            training epochs per method (default 10)
          --seed N              seed of initialisation and batch order (default 0)
          --rows N              use at most N training rows
          --threads N           libtorch CPU threads (default 1: fastest on a busy 2-core machine)
          --embedding N         embedding size D (default 128; ResNet-18 widths are D/8..D, paper 512)
          --repeat N            streaming: serve the training rows N times over (default 1)
          --budget-mb N         streaming: memory budget for the training data in MiB (default 16)
          --out DIR             export-csv: output folder (default fashion-mnist-csv)
        """;

    public static ExampleArguments Parse(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "quickstart";
        var options = args.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (options.Length % 2 != 0)
        {
            throw new ArgumentException($"Option {options[^1]} needs a value.\n{Usage}");
        }

        var values = new Dictionary<string, string>();
        for (var i = 0; i < options.Length; i += 2)
        {
            values[options[i]] = options[i + 1];
        }

        var unknown = values.Keys.Except(["--data", "--epochs", "--seed", "--rows", "--threads", "--embedding", "--repeat", "--budget-mb", "--out", "--predictions"]).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown option {unknown[0]}.\n{Usage}");
        }

        return new ExampleArguments(
            command,
            values.GetValueOrDefault("--data"),
            Positive(values, "--epochs", 10),
            long.Parse(values.GetValueOrDefault("--seed", "0"), CultureInfo.InvariantCulture),
            values.ContainsKey("--rows") ? Positive(values, "--rows", 0) : null,
            Positive(values, "--threads", 1),
            Positive(values, "--embedding", 128),
            Positive(values, "--repeat", 1),
            Positive(values, "--budget-mb", 16),
            values.GetValueOrDefault("--out"),
            Positive(values, "--predictions", 1_000_000));
    }

    private static int Positive(Dictionary<string, string> values, string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value > 0
            ? value
            : throw new ArgumentException($"Option {name} must be a positive integer, got '{text}'.\n{ExampleArguments.Usage}");
    }
}
