using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML;

namespace DiMml.Benchmarks;

/// <summary>
/// Load on a real Kestrel server on localhost serving the quickstart model with <c>DiMml.AspNetCore</c>: 1, 8 and 64
/// concurrent clients sending single-row requests for a fixed time, with and without coalescing; requests/s, rows/s,
/// p50/p99 latency and the process's peak resident memory. Every answer is checked against the offline BulkScorer scores
/// (label and probabilities to 1e-6); a failed or wrong answer is counted, never dropped.
/// </summary>
internal static class ServingLoad
{
    private const int TestRows = 512;

    public static IEnumerable<string> Run(string dataFolder, int epochs, double seconds, int threads)
    {
        var folder = Directory.CreateTempSubdirectory("dimml-serving-").FullName;
        try
        {
            var lines = new List<string>();
            foreach (var (title, resnet, embedding) in Models)
            {
                var path = Path.Combine(folder, $"model-{embedding}-{resnet}.zip");
                var rows = TrainModel(dataFolder, epochs, threads, path, resnet, embedding);
                using var scorer = BulkScorer.FromModelFile(path);
                var expected = scorer.Score([rows.SelectMany(r => r.Top).ToArray(), rows.SelectMany(r => r.Bottom).ToArray()],
                    rows.Length);
                var bodies = rows.Select(r => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { r.Top, r.Bottom }))).ToArray();
                var results = new List<LoadResult>();
                // Each client count's two settings run back to back, so the machine's drift hits the pair alike.
                foreach (var clients in new[] { 1, 8, 64 })
                {
                    foreach (var coalesce in new[] { false, true })
                    {
                        results.Add(RunLoad(path, coalesce, clients, seconds, bodies, expected).GetAwaiter().GetResult());
                    }
                }

                var (single, batched) = OfflineCost(scorer, rows);
                lines.AddRange(Table(title, results));
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Offline, same model: one ONNX Runtime call for one row takes {single * 1000:F0} us; in calls of 64 rows, " +
                    $"{batched * 1000:F1} us a row. Coalescing can save at most the difference per request; the rest of a " +
                    $"request's cost (HTTP, JSON in and out, the client) stays."));
            }

            return Header(dataFolder, epochs, seconds).Concat(lines);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Milliseconds of one single-row call and per row of 64-row calls (medians), BulkScorer alone.
    private static (double Single, double PerRowBatched) OfflineCost(BulkScorer scorer, PipelineSuite.Row[] rows)
    {
        float[][] Inputs(int count) =>
            [rows.Take(count).SelectMany(r => r.Top).ToArray(), rows.Take(count).SelectMany(r => r.Bottom).ToArray()];
        var (one, many) = (Inputs(1), Inputs(64));
        var single = Timing.Median(Timing.Time(500, () => scorer.Score(one, 1)));
        var batched = Timing.Median(Timing.Time(50, () => scorer.Score(many, 64))) / 64;
        return (single, batched);
    }

    private sealed record LoadResult(bool Coalesce, int Clients, double Seconds, long Answers, long Lost, long Wrong, double P50,
        double P99, long PeakRss, long Calls);

    // A small model, where a request's cost is mostly HTTP and JSON, up to the paper's encoder width, where it is mostly the model.
    private static readonly (string Title, bool ResNet, int Embedding)[] Models =
    [
        ("The quickstart model (two MLP encoders on the 392-pixel halves, D = 128)", false, 128),
        ("Two ResNet-18 encoders (the paper's architecture, narrow: D = 64) on the 1x14x28 halves", true, 64),
        ("Two ResNet-18 encoders at the paper's width (D = 512) on the 1x14x28 halves", true, 512),
    ];

    private static PipelineSuite.Row[] TrainModel(string dataFolder, int epochs, int threads, string path, bool resnet, int embedding)
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(PipelineSuite.Load(dataFolder, "train"));
        var options = PipelineSuite.TrainerOptions(epochs, threads);
        foreach (var (name, column) in new[] { ("top", "Top"), ("bottom", "Bottom") })
        {
            options.Modalities.Add(resnet
                ? new ModalityOptions { Name = name, ColumnName = column, Encoder = EncoderKind.ResNet18, Shape = new(1, 1, 14, 28) }
                : new ModalityOptions { Name = name, ColumnName = column });
        }

        options.EmbeddingSize = embedding;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
        ml.Model.Save(model, train.Schema, path);
        (model as IDisposable)?.Dispose();
        return PipelineSuite.Load(dataFolder, "t10k").Take(TestRows).ToArray();
    }

    private static async Task<LoadResult> RunLoad(string path, bool coalesce, int clients, double seconds, byte[][] bodies,
        BulkPrediction[] expected)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDiMmlModel(path, o =>
        {
            o.CoalesceRequests = coalesce;
            o.WatchModelFile = false;
        });
        await using var app = builder.Build();
        app.MapDiMmlEndpoints("/model");
        await app.StartAsync();
        var address = app.Urls.First();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(address) };
        var latencies = new List<double>[clients];
        long lost = 0, wrong = 0;
        using var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(1, seconds / 4)));
        await Clients(clients, (c, k) => Send(client, bodies, expected, c, k, null), warmUp.Token);
        var callsBefore = coalesce ? app.Services.GetRequiredService<DiMml.AspNetCore.ScoringQueue>().Coalesced.Calls : 0;
        using var sampler = new RssSampler();
        var watch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await Clients(clients, async (c, k) =>
        {
            latencies[c] ??= [];
            var outcome = await Send(client, bodies, expected, c, k, latencies[c]);
            if (outcome == Outcome.Lost)
            {
                Interlocked.Increment(ref lost);
            }
            else if (outcome == Outcome.Wrong)
            {
                Interlocked.Increment(ref wrong);
            }
        }, stop.Token);
        var elapsed = watch.Elapsed.TotalSeconds;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        var queue = app.Services.GetRequiredService<DiMml.AspNetCore.ScoringQueue>();
        var calls = coalesce ? queue.Coalesced.Calls - callsBefore : all.Length;
        await app.StopAsync();
        return new LoadResult(coalesce, clients, elapsed, all.Length, lost, wrong, Percentile(all, 0.5), Percentile(all, 0.99),
            sampler.Peak, calls);
    }

    private enum Outcome
    {
        Right,
        Wrong,
        Lost,
    }

    private static async Task Clients(int clients, Func<int, int, Task> request, CancellationToken stop) =>
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                await request(c, k);
            }
        })));

    private static async Task<Outcome> Send(HttpClient client, byte[][] bodies, BulkPrediction[] expected, int c, int k,
        List<double>? latencies)
    {
        var row = (c * 7919 + k) % bodies.Length;
        using var content = new ByteArrayContent(bodies[row]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await client.PostAsync("/model/predict", content);
            var text = await response.Content.ReadAsStringAsync();
            latencies?.Add(watch.Elapsed.TotalMilliseconds);
            return response.StatusCode == HttpStatusCode.OK && Matches(JsonNode.Parse(text)!["predictions"]![0]!, expected[row])
                ? Outcome.Right
                : Outcome.Wrong;
        }
        catch (HttpRequestException)
        {
            return Outcome.Lost;
        }
    }

    private static bool Matches(JsonNode answer, BulkPrediction expected)
    {
        if ((string?)answer["label"] != expected.PredictedLabel)
        {
            return false;
        }

        var probabilities = answer["probabilities"]!.AsObject().Select(p => (float)p.Value!).ToArray();
        return probabilities.Length == expected.Score.Length
            && probabilities.Zip(expected.Score).All(p => Math.Abs(p.First - p.Second) <= 1e-6f);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];

    private static IEnumerable<string> Header(string dataFolder, int epochs, double seconds) =>
    [
        "## Serving over HTTP (DiMml.AspNetCore)",
        "",
        $"Machine: {MachineDescription.Cpu()}; {DateTime.UtcNow:yyyy-MM-dd}. Models trained {epochs} epochs on {dataFolder} " +
            "(two-view Fashion-MNIST halves), served by Kestrel on 127.0.0.1 in this process; the clients run in the same process " +
            $"over real sockets, single-row JSON requests for {seconds:F0} s after a warm-up; every answer is checked against " +
            "offline BulkScorer scores (label, probabilities to 1e-6). Coalescing: up to 64 rows per ONNX Runtime call, 1 ms max " +
            "wait; off: each request scored by its own call. ONNX Runtime at the package defaults: one intra-op thread per call " +
            "when off, one per core when on.",
    ];

    private static IEnumerable<string> Table(string model, List<LoadResult> results)
    {
        yield return "";
        yield return $"### {model}";
        yield return "";
        yield return "| coalescing | clients | requests/s = rows/s | p50 ms | p99 ms | rows per ONNX call | lost | wrong | peak RSS MiB |";
        yield return "| --- | --- | --- | --- | --- | --- | --- | --- | --- |";
        foreach (var r in results.OrderBy(r => r.Coalesce).ThenBy(r => r.Clients))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {(r.Coalesce ? "on" : "off")} | {r.Clients} | {r.Answers / r.Seconds:F0} | {r.P50:F2} | {r.P99:F2} | " +
                $"{(double)r.Answers / Math.Max(1, r.Calls):F1} | {r.Lost} | {r.Wrong} | {r.PeakRss >> 20} |");
        }

        LoadResult Of(bool coalesce, int clients) => results.Single(r => r.Coalesce == coalesce && r.Clients == clients);
        var (on64, off64, on1, off1) = (Of(true, 64), Of(false, 64), Of(true, 1), Of(false, 1));
        yield return "";
        yield return string.Create(CultureInfo.InvariantCulture,
            $"At 64 clients coalescing gives {on64.Answers / on64.Seconds / (off64.Answers / off64.Seconds):F2}x the rows/s of " +
            $"scoring each request alone (p99 {on64.P99:F1} ms); at 1 client it adds {on1.P50 - off1.P50:F2} ms to p50. Lost or " +
            $"wrong answers in all runs: {results.Sum(r => r.Lost + r.Wrong)}.");
    }

    /// <summary>Samples the process's resident memory every 50 ms and keeps the peak.</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly Timer timer;
        private long peak;

        public RssSampler() => timer = new Timer(_ => Sample(), null, 0, 50);

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref peak);
            }
        }

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            var rss = process.WorkingSet64;
            long seen;
            while (rss > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, rss, seen) != seen)
            {
            }
        }

        public void Dispose() => timer.Dispose();
    }
}
