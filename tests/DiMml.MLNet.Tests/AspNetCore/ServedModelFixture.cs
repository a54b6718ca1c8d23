using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML;

namespace DiMml.MLNet.Tests.AspNetCore;

/// <summary>A small two-view model saved to a temporary folder (trained once per test class), the offline scores the server
/// must reproduce, and in-memory servers of it.</summary>
internal sealed class ServedModelFixture : IDisposable
{
    public ServedModelFixture(int epochs = 3, int seed = 0)
    {
        Folder = Directory.CreateTempSubdirectory("dimml-serve-").FullName;
        ModelPath = Path.Combine(Folder, "model.zip");
        Save(ModelPath, epochs, seed);
        Rows = TwoViewRows.Make(40, seed: 42, sample: 1);
        using var scorer = BulkScorer.FromModelFile(ModelPath);
        Expected = scorer.Score([Flatten(Rows, r => r.Top), Flatten(Rows, r => r.Bottom)], Rows.Length);
    }

    public string Folder { get; }

    public string ModelPath { get; }

    public TwoViewRow[] Rows { get; }

    /// <summary>BulkScorer's offline predictions of <see cref="Rows"/>.</summary>
    public BulkPrediction[] Expected { get; }

    /// <summary>Trains the two-view model and saves it to <paramref name="path"/>.</summary>
    public static void Save(string path, int epochs, int seed)
    {
        var ml = new MLContext(seed: 0);
        var options = TwoViewRows.SmallOptions(epochs);
        options.Seed = seed;
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(120, seed: 42));
        var model = TwoViewRows.Pipeline(ml, options).Fit(train);
        ml.Model.Save(model, train.Schema, path);
    }

    public static float[] Flatten(IEnumerable<TwoViewRow> rows, Func<TwoViewRow, float[]> view) => rows.SelectMany(view).ToArray();

    /// <summary>A started in-memory server of <see cref="ModelPath"/> under <c>/model</c>; the caller disposes it.</summary>
    public WebApplicationFactory<Program> Serve(Action<DiMmlServingOptions>? configure = null, List<string>? errors = null) =>
        Serve(ModelPath, configure, errors);

    /// <summary>A started in-memory server of the test app (tests/DiMml.ServeApp, hosted by WebApplicationFactory) serving
    /// <paramref name="modelPath"/> under <c>/model</c>; errors logged are added to <paramref name="errors"/>.</summary>
    /// <param name="modelPath">The model zip.</param>
    /// <param name="configure">Changes to the serving options.</param>
    /// <param name="errors">Receives what is logged at error level.</param>
    /// <param name="kestrel">Serve on a free localhost port with Kestrel instead of the in-memory server.</param>
    public static WebApplicationFactory<Program> Serve(string modelPath, Action<DiMmlServingOptions>? configure = null,
        List<string>? errors = null, bool kestrel = false)
    {
        var factory = new ServeAppFactory(modelPath, configure, errors);
        if (kestrel)
        {
            factory.UseKestrel(0);
        }

        factory.StartServer();   // loads the model now
        return factory;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private sealed class ServeAppFactory(string modelPath, Action<DiMmlServingOptions>? configure, List<string>? errors)
        : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("DiMml:ModelPath", modelPath);
            builder.ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (errors is not null)
                {
                    logging.AddProvider(new ErrorCollector(errors));
                }
            });
            builder.ConfigureTestServices(services =>
            {
                if (configure is not null)
                {
                    services.Configure(configure);
                }
            });
        }
    }

    /// <summary>Collects what is logged at error level or above.</summary>
    private sealed class ErrorCollector(List<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (errors)
                {
                    errors.Add(formatter(state, exception));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
