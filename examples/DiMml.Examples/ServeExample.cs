using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;

namespace DiMml.Examples;

/// <summary>
/// Serves the quickstart model over HTTP with DiMml.AspNetCore (training and saving it first when the file is missing), with
/// a page at <c>/</c> to try it: pick a test image (optionally hiding a half) or send rows, see the predicted label, the class
/// probabilities, the branch weights and each half's own prediction. Kestrel listens where ASPNETCORE_URLS says (default
/// http://localhost:5000).
/// </summary>
internal static class ServeExample
{
    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var modelPath = Path.GetFullPath(Path.Combine(args.OutputFolder ?? ".", "dimml-quickstart-model.zip"));
        if (!File.Exists(modelPath))
        {
            Console.WriteLine($"Training the quickstart model ({args.Epochs} epochs) into {modelPath}");
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(TwoViewFashionMnist.Rows(folder, "train", args.MaxRows));
            var model = Quickstart.Pipeline(ml, Quickstart.Options(args)).Fit(train);
            Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
            ml.Model.Save(model, train.Schema, modelPath);
            (model as IDisposable)?.Dispose();
        }

        var samples = TwoViewFashionMnist.Rows(folder, "t10k").Take(24)
            .Select(r => new { label = r.Label, top = r.Top, bottom = r.Bottom }).ToArray();
        var page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html"));
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddDiMmlModel(modelPath);
        var app = builder.Build();
        app.MapDiMmlEndpoints("/model");
        app.MapGet("/", () => Results.Content(page, "text/html"));
        app.MapGet("/samples", () => Results.Json(samples));
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"Serving {modelPath} ({DiMmlModelInfo.Read(modelPath).Fusion}) at {string.Join(", ", app.Urls)}; " +
                "Ctrl+C stops."));
        app.Run();
        return 0;
    }
}
