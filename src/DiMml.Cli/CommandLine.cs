using System.Globalization;

namespace DiMml.Cli;

/// <summary>Parsed command line: a command, repeatable <c>--modality</c> options and single-valued options.</summary>
internal sealed class CommandLine
{
    public const string Usage = """
        dimml: DI-MML (Detached and Interactive Multimodal Learning) for ML.NET, from the command line.

        usage:
          dimml compare --train FILE --test FILE | --data FILE --split 0.2   --label COL --modality NAME=SPEC ... [options]
          dimml train   --train FILE --label COL --modality NAME=SPEC ... --method METHOD --model OUT.zip [options]
          dimml predict --model MODEL.zip --input FILE --output OUT.csv --modality NAME=SPEC ...

        data: a delimited text file with a header row (comma by default; --separator to change).
          --modality NAME=SPEC   one modality as a group of numeric columns; SPEC is a range of numbered
                                 columns (t0-t391), a prefix (t*) or a list (a,b,c). Repeat for each modality.
        methods (compare runs all): unimodal:NAME, joint, dimml, dimml-no-duc, dimml-no-shared-head,
          dimml-fusion-head (no weighting), dimml-calibrated, dimml-selected (calibrated / selected fusion on a held-out
          tenth of the training rows), lightgbm (on the concatenated features)
        options:
          --epochs N (10)  --batch-size N (32)  --lr X (0.01)  --embedding N (128)  --hidden N (256)
          --fusion-epochs N (5)  --seed N (0)  --threads N (1)  --separator C (,)  --out DIR (dimml-results)
          --methods a,b,... (compare: only these)  --seeds 0,1,2 (compare: repeat, report mean ± std)
          --save-models (compare: save each model zip)
          --checkpoint-dir DIR (train: checkpoint every epoch)  --resume DIR|FILE (train: continue an interrupted run)
        """;

    private readonly Dictionary<string, string> values = [];

    private CommandLine(string command) => Command = command;

    public string Command { get; }

    public List<(string Name, string Spec)> Modalities { get; } = [];

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            throw new CommandLineException(Usage);
        }

        var line = new CommandLine(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"Unexpected argument '{name}'. Options start with --.\n\n{Usage}");
            }

            if (name == "--save-models")
            {
                line.values[name] = "true";
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new CommandLineException($"Option {name} needs a value.\n\n{Usage}");
            }

            var value = args[++i];
            if (name == "--modality")
            {
                var parts = value.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    throw new CommandLineException($"--modality takes NAME=SPEC (e.g. top=t0-t391), got '{value}'.");
                }

                line.Modalities.Add((parts[0], parts[1]));
            }
            else
            {
                line.values[name] = value;
            }
        }

        return line;
    }

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new CommandLineException($"Option {name} is required for '{Command}'.\n\n{Usage}");

    public bool Flag(string name) => values.ContainsKey(name);

    public int Int(string name, int fallback, int minimum = 1)
    {
        var text = Optional(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new CommandLineException($"Option {name} must be an integer >= {minimum}, got '{text}'.");
    }

    public double Double(string name, double fallback, double exclusiveMinimum, double exclusiveMaximum = double.PositiveInfinity)
    {
        var text = Optional(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > exclusiveMinimum && value < exclusiveMaximum
            ? value
            : throw new CommandLineException($"Option {name} must be a number in ({exclusiveMinimum}, {exclusiveMaximum}), got '{text}'.");
    }
}

/// <summary>A command-line mistake: the message says what is wrong and how to call the tool.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
