using System.CommandLine;

namespace DiMml.Examples;

/// <summary>The examples' command line (System.CommandLine): one command per example, quickstart the default, and the
/// options they share, each with its default, its check and its help text.</summary>
internal sealed record ExampleArguments(
    string? DataFolder, int Epochs, long Seed, int? MaxRows, int Threads, int Embedding, int Repeat, int BudgetMegabytes,
        string? OutputFolder,
    int Predictions)
{
    private static readonly (string Name, string Description)[] Examples =
    [
        ("quickstart", "The default: DI-MML in an ML.NET pipeline on two-view Fashion-MNIST: train, evaluate, save, reload, predict."),
        ("core", "The TorchSharp core alone: unimodal, joint and DI-MML side by side."),
        ("images", "The halves written as PNG files, LoadImages -> ExtractPixels -> DI-MML with ResNet-18 encoders and augmentation."),
        ("streaming", "Training data over the memory budget, streamed from a lazy IDataView: epoch time, time waiting for data, peak RSS."),
        ("audio", "Spoken class names (espeak-ng: apt-get install espeak-ng) + Fashion-MNIST images: unimodal, joint and DI-MML (--rows " +
            "= clips per class)."),
        ("video", "Generated video clips (class = appearance x motion): VideoFrames + OpticalFlow into ResNet-18 encoders, streamed; " +
            "unimodal, joint, LightGBM and DI-MML (--rows = clips, default 3000)."),
        ("soak", "--predictions single-row predictions through one PredictionEngine of a saved model; fails when resident memory grows > " +
            "10 %."),
        ("serve", "Serves the quickstart model over HTTP (DiMml.AspNetCore; trains it into --out first when missing) with a page " +
            "at / to try it; ASPNETCORE_URLS sets the address."),
        ("export-csv", "Writes the two views as train.csv / test.csv (Label,t0..t391,b0..b391) for the dimml command-line tool."),
    ];

    /// <summary>The root command (quickstart) and one subcommand per example; each action gets the parsed arguments.</summary>
    public static RootCommand Commands(IReadOnlyDictionary<string, Func<ExampleArguments, int>> examples)
    {
        var root = new RootCommand("DI-MML examples. Without a command: quickstart, DI-MML in an ML.NET pipeline on two-view " +
            "Fashion-MNIST: " +
            "train, evaluate, save, reload, predict.");
        Bind(root, examples["quickstart"]);
        foreach (var (name, description) in Examples)
        {
            var command = new Command(name, description);
            Bind(command, examples[name]);
            root.Subcommands.Add(command);
        }

        return root;
    }

    // Each command gets option instances of its own, so a mistake is reported once, by the command that was run.
    private static void Bind(Command command, Func<ExampleArguments, int> example)
    {
        var options = new Options();
        options.AddTo(command);
        command.SetAction(parsed => Run(example, options.Read(parsed)));
    }

    private static int Run(Func<ExampleArguments, int> example, ExampleArguments arguments)
    {
        try
        {
            return example(arguments);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private sealed class Options
    {
        private readonly Option<string?> data = new("--data")
        {
            Description = "Folder with Fashion-MNIST IDX files (default: the subset shipped in examples/data; the full set: " +
                "/usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist).",
        };

        private readonly Option<int> epochs = Positive("--epochs", 10, "Training epochs per method.");
        private readonly Option<long> seed = new("--seed")
        {
            Description = "Seed of initialisation and batch order.",
            DefaultValueFactory = _ => 0
        };
        private readonly Option<int?> rows = new("--rows")
        {
            Description = "Use at most this many training rows (audio: clips per class, " +
            "default 60)."
        };
        private readonly Option<int> threads = Positive("--threads", 1, "libtorch CPU threads (1 is fastest on a busy 2-core machine).");
        private readonly Option<int> embedding = Positive("--embedding", 128, "Embedding size D (ResNet-18 widths are D/8..D; the " +
            "paper's 512).");
        private readonly Option<int> repeat = Positive("--repeat", 1, "streaming: serve the training rows this many times over.");
        private readonly Option<int> budget = Positive("--budget-mb", 16, "streaming: memory budget for the training data in MiB.");
        private readonly Option<string?> output = new("--out")
        {
            Description = "export-csv: output folder (default fashion-mnist-csv); serve: the model's folder (default .).",
        };
        private readonly Option<int> predictions = Positive("--predictions", 1_000_000, "soak: single-row predictions to make.");

        public Options() => rows.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is <= 0)
            {
                r.AddError("Option --rows must be a positive integer.");
            }
        });

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { data, epochs, seed, rows, threads, embedding, repeat, budget, output, predictions })
            {
                command.Options.Add(option);
            }
        }

        public ExampleArguments Read(ParseResult parsed) => new(
            parsed.GetValue(data), parsed.GetValue(epochs), parsed.GetValue(seed), parsed.GetValue(rows), parsed.GetValue(threads),
            parsed.GetValue(embedding), parsed.GetValue(repeat), parsed.GetValue(budget), parsed.GetValue(output),
                parsed.GetValue(predictions));

        private static Option<int> Positive(string name, int defaultValue, string description)
        {
            var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() <= 0)
                {
                    r.AddError($"Option {name} must be a positive integer, got {r.GetValueOrDefault<int>()}.");
                }
            });
            return option;
        }
    }
}
