using System.Text.Json;
using System.Text.Json.Serialization;
using DiMml;
using DiMml.AspNetCore;
using DiMml.AspNetCore.Files;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints of a model registered with <c>AddDiMmlModel</c> (<see cref="MapDiMmlEndpoints"/>).</summary>
public static class DiMmlEndpointRouteBuilderExtensions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Maps <c>GET {prefix}</c> (the model card), <c>GET {prefix}/health</c>, <c>POST {prefix}/predict</c> (JSON rows in,
    /// labels, probabilities, branch probabilities and branch weights out) and <c>POST {prefix}/predict/files</c> (one row as
    /// multipart/form-data: a file part per file input of the card, run through the model's own featurizers, and a JSON array
    /// per modality given as a vector; same answer). Requests that do not match the model get 400 with a message naming the
    /// field at fault. The model file is loaded here, so a missing or broken file fails the app's start.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="prefix">Route prefix of the endpoints. Default <c>/model</c>.</param>
    public static RouteGroupBuilder MapDiMmlEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/model")
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // Loads the model now, so a missing or broken file stops the app at start-up with its message, not the first request.
        _ = endpoints.ServiceProvider.GetService(typeof(ModelHost)) as ModelHost ?? throw new InvalidOperationException(
            "No DI-MML model is registered: call builder.Services.AddDiMmlModel(\"model.zip\") before MapDiMmlEndpoints.");
        _ = endpoints.ServiceProvider.GetService(typeof(ScoringQueue));
        var group = endpoints.MapGroup(prefix);
        group.MapGet("", (ModelHost host) => Results.Json(host.Card, Json));
        group.MapGet("/health", (ModelHost host) =>
            Results.Json(new { status = "ok", model = host.Card.Sha256, swaps = host.Swaps }, Json));
        group.MapPost("/predict", PredictAsync);
        group.MapPost("/predict/files", PredictFilesAsync);
        return group;
    }

    private static Task<IResult> PredictAsync(HttpRequest request, ModelHost host, ScoringQueue queue, DiMmlServingOptions options) =>
        AnswerAsync(async () =>
        {
            RaiseBodyLimit(request, options.MaxRequestBytes);
            var card = host.Card;
            using var body = await ReadJsonAsync(request, options.MaxRequestBytes).ConfigureAwait(false);
            var (inputs, rows) = PredictRequest.Read(body.RootElement, card, options.MaxRowsPerRequest);
            return await ScoreAsync(queue, inputs, rows).ConfigureAwait(false);
        });

    private static Task<IResult> PredictFilesAsync(HttpRequest request, ModelHost host, ScoringQueue queue, DiMmlServingOptions options) =>
        AnswerAsync(async () =>
        {
            RaiseBodyLimit(request, options.MaxUploadBytes);
            float[][] inputs;
            var model = host.Lease();
            try
            {
                var featurizer = Featurizer(model, request);
                using var upload = await Upload.ReadAsync(request, options.MaxUploadBytes, featurizer.Accepts, featurizer.Fields,
                    request.HttpContext.RequestAborted).ConfigureAwait(false);
                inputs = featurizer.Featurize(upload);
            }
            finally
            {
                model.Release();
            }

            // Features from one version's featurizers are only answered by that version's graph.
            return await ScoreAsync(queue, inputs, 1, requiredModel: model.Card.Sha256).ConfigureAwait(false);
        });

    private static FileFeaturizer Featurizer(ServedModel model, HttpRequest request)
    {
        if (model.Featurizer is not { } featurizer)
        {
            throw new FeaturizersUnavailableException(model.FeaturizerProblem ?? "");
        }

        return featurizer.FileInputs.Count > 0 ? featurizer : throw new BadRequestException(
            $"This model reads vectors, not files: POST JSON to {request.Path.Value?[..^"/files".Length]}.");
    }

    private static async Task<IResult> ScoreAsync(ScoringQueue queue, float[][] inputs, int rows, string? requiredModel = null)
    {
        var (predictions, model) = await queue.ScoreAsync(inputs, rows).ConfigureAwait(false);
        if (requiredModel is not null && model.Sha256 != requiredModel)
        {
            throw new ModelChangedException();
        }

        var rowsOut = predictions.Select(p => RowPrediction.From(p, model)).ToArray();
        return Results.Json(new PredictionResponse(rowsOut, model.Sha256), Json);
    }

    // Kestrel refuses bodies over its own limit (about 28.6 MiB) with a bare 413 before the endpoint's limit applies. The
    // endpoint's limit is the configured one and answers 400 naming the option; the slack above it (more than one read, plus
    // multipart framing) lets the endpoint's check fire first.
    private static void RaiseBodyLimit(HttpRequest request, long limit)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit + (1 << 20);
        }
    }

    private static async Task<IResult> AnswerAsync(Func<Task<IResult>> answer)
    {
        try
        {
            return await answer().ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "The request does not match the model");
        }
        catch (BadHttpRequestException e)
        {
            // A body cut short or over the server's own limit: the client's doing, not an application error.
            return Results.Problem($"body: {e.Message}", statusCode: e.StatusCode, title: "The request body could not be read");
        }
        catch (FeaturizersUnavailableException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status501NotImplemented, title: "Uploads cannot be served");
        }
        catch (Exception e) when (e is ModelChangedException or ObjectDisposedException)
        {
            return Results.Problem(e is ModelChangedException ? e.Message : "The model is no longer being served (the app is stopping).",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again");
        }
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, long limit)
    {
        if (!request.HasJsonContentType())
        {
            throw new BadRequestException($"Content-Type: send application/json (got '{request.ContentType}').");
        }

        if (request.ContentLength > limit)
        {
            throw new BadRequestException($"body: {request.ContentLength} bytes; the limit is {limit} (MaxRequestBytes).");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new BadRequestException($"body: more than {limit} bytes, the limit (MaxRequestBytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"body: not valid JSON ({e.Message}).");
        }
    }
}
