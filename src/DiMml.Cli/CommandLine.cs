using System.CommandLine;
using System.Globalization;

namespace DiMml.Cli;

/// <summary>
/// The <c>dimml</c> command line, declared with System.CommandLine: the commands, every option with its default, its
/// check and its help text. A parsed line gives the commands typed values by option name.
/// </summary>
internal sealed class CommandLine
{
    private const string ModalityHelp =
        "One modality as NAME=SPEC: a group of numeric columns given as a range of numbered columns (t0-t391), a prefix (t*) " +
        "or a list (a,b,c). Repeat for each modality.";

    private const string MethodsHelp =
        "unimodal:NAME, joint, dimml (the default: fusion chosen on a held-out tenth of the training rows), dimml-paper (the " +
        "paper's certainty weighting, no rows held out), dimml-no-refit and dimml-refit (dimml never or always training stage 1 again " +
        "on all rows after the choice), dimml-no-duc, " +
        "dimml-no-shared-head, dimml-fusion-head (no weighting), dimml-calibrated, lightgbm (on the concatenated features)";

    private readonly ParseResult result;

    private CommandLine(ParseResult result) => this.result = result;

    /// <summary>The modalities given with <c>--modality</c>, in order.</summary>
    public IReadOnlyList<(string Name, string Spec)> Modalities =>
        (result.GetValue<string[]>("--modality") ?? []).Select(m => m.Split('=', 2)).Select(p => (p[0], p[1])).ToList();

    /// <summary>The value of option <paramref name="name"/>, or null when the command has no such option or it was not given.</summary>
    public string? Optional(string name) => Has(name) ? result.GetValue<string?>(name) : null;

    /// <summary>The value of a required option (System.CommandLine has already reported it when missing).</summary>
    public string Required(string name) => result.GetValue<string>(name)!;

    /// <summary>Whether flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => Has(name) && result.GetValue<bool>(name);

    /// <summary>The checked integer value of option <paramref name="name"/> (its default when not given).</summary>
    public int Int(string name) => result.GetValue<int>(name);

    /// <summary>The checked number value of option <paramref name="name"/> (its default when not given).</summary>
    public double Double(string name) => result.GetValue<double>(name);

    /// <summary>The root command; each command's action receives the parsed line and returns the exit code.</summary>
    public static RootCommand Build(Func<CommandLine, int> compare, Func<CommandLine, int> train, Func<CommandLine, int> predict)
    {
        var root = new RootCommand("dimml: DI-MML (Detached and Interactive Multimodal Learning) for ML.NET, from the command line. " +
            "Data: a delimited text file with a header row.");
        root.Subcommands.Add(Compare(compare));
        root.Subcommands.Add(Train(train));
        root.Subcommands.Add(Predict(predict));
        return root;
    }

    private static Command Compare(Func<CommandLine, int> action)
    {
        var command = new Command("compare", "Every method on the same data, seed and budget, evaluated on the same test rows: a table, "
            + "comparison.md, comparison.json and SVG plots.")
        {
            Text("--train", "Training rows (with --test)."),
            Text("--test", "Test rows (with --train)."),
            Text("--data", "One file to split into training and test rows (instead of --train and --test)."),
            Number("--split", 0.2, 0, 1, "With --data: the share of rows held out for testing."),
            Text("--label", "The label column.", required: true),
            Modality(),
            Separator(),
            Text("--out", "Output folder.", "dimml-results"),
            Text("--methods", $"Comma-separated methods to run (default: all): {MethodsHelp}."),
            Text("--seeds", "Comma-separated seeds: repeat every method per seed and report mean ± std."),
            new Option<bool>("--save-models") { Description = "Save every trained model as an ML.NET zip." },
        };
        AddBudget(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue<string>("--data") is null && (r.GetValue<string>("--train") is null || r.GetValue<string>("--test") is null))
            {
                r.AddError("compare needs --train and --test, or --data (with --split).");
            }
        });
        command.SetAction(parsed => Invoke(action, parsed));
        return command;
    }

    private static Command Train(Func<CommandLine, int> action)
    {
        var command = new Command("train", "Train one method and save it as an ML.NET model zip.")
        {
            Text("--train", "Training rows.", required: true),
            Text("--label", "The label column.", required: true),
            Modality(),
            Separator(),
            Text("--method", $"The method: {MethodsHelp}.", required: true),
            Text("--model", "Where to save the model zip.", required: true),
            Text("--checkpoint-dir", "Write a checkpoint after every epoch into this folder."),
            Text("--resume", "Continue an interrupted run from this checkpoint file or folder."),
        };
        AddBudget(command);
        command.SetAction(parsed => Invoke(action, parsed));
        return command;
    }

    private static Command Predict(Func<CommandLine, int> action)
    {
        var command = new Command("predict", "Score a delimited file with a saved model; write the predicted label and the class scores " +
            "as CSV.")
        {
            Text("--model", "The model zip.", required: true),
            Text("--input", "The rows to score.", required: true),
            Text("--output", "Where to write the predictions (CSV).", required: true),
            Text("--label", "A label column to load (default: the file's first column; not used for scoring)."),
            Modality(),
            Separator(),
        };
        command.SetAction(parsed => Invoke(action, parsed));
        return command;
    }

    // The training budget every method gets.
    private static void AddBudget(Command command)
    {
        command.Options.Add(Count("--epochs", 10, 1, "Training epochs (stage 1 for DI-MML)."));
        command.Options.Add(Count("--fusion-epochs", 5, 1, "Fusion-head epochs of DI-MML's stage 2, counted separately."));
        command.Options.Add(Count("--batch-size", 32, 1, "Rows per optimisation step."));
        command.Options.Add(Number("--lr", 0.01, 0, double.PositiveInfinity, "SGD learning rate."));
        command.Options.Add(Count("--embedding", 128, 1, "Feature size D of every encoder."));
        command.Options.Add(Count("--hidden", 256, 1, "Hidden width of the MLP encoders."));
        command.Options.Add(Count("--seed", 0, 0, "Seed of initialisation, batch order and the --data split."));
        command.Options.Add(Count("--threads", 1, 1, "libtorch CPU threads."));
    }

    private static int Invoke(Func<CommandLine, int> action, ParseResult parsed)
    {
        try
        {
            return action(new CommandLine(parsed));
        }
        catch (CommandLineException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private bool Has(string name) => result.CommandResult.Command.Options.Any(o => o.Name == name);

    private static Option<string> Text(string name, string description, string? defaultValue = null, bool required = false)
    {
        var option = new Option<string>(name) { Description = description, Required = required };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return option;
    }

    private static Option<string[]> Modality()
    {
        var option = new Option<string[]>("--modality") { Description = ModalityHelp, Required = true };
        option.Validators.Add(r =>
        {
            foreach (var value in r.GetValueOrDefault<string[]>() ?? [])
            {
                var parts = value.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    r.AddError($"--modality takes NAME=SPEC (e.g. top=t0-t391), got '{value}'.");
                }
            }
        });
        return option;
    }

    private static Option<string> Separator() => Text("--separator", "Column separator: one character, or 'tab'.", ",");

    private static Option<int> Count(string name, int defaultValue, int minimum, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum)
            {
                r.AddError($"Option {name} must be an integer >= {minimum}, got {r.GetValueOrDefault<int>()}.");
            }
        });
        return option;
    }

    // Numbers are read with the invariant culture, whatever the machine's locale (0.01, never 0,01).
    private static Option<double> Number(string name, double defaultValue, double exclusiveMinimum, double exclusiveMaximum,
        string description) => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > exclusiveMinimum
                    && value < exclusiveMaximum)
                {
                    return value;
                }

                r.AddError($"Option {name} must be a number in ({exclusiveMinimum.ToString(CultureInfo.InvariantCulture)}, " +
                    $"{exclusiveMaximum.ToString(CultureInfo.InvariantCulture)}), got '{text}'.");
                return defaultValue;
            },
        };
}

/// <summary>A command-line mistake found after parsing: the message says what is wrong and how to fix it.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
