using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DiMml.AspNetCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DiMml.MLNet.Tests.AspNetCore;

/// <summary>The endpoints of <c>MapDiMmlEndpoints</c> on an in-memory server: answers equal offline BulkScorer scores,
/// concurrent requests are coalesced, and every bad request gets 400 naming the field, with nothing logged as an error.</summary>
[TestClass]
public sealed class EndpointTests
{
    private static ServedModelFixture fixture = null!;

    [ClassInitialize]
    public static void Train(TestContext context) => fixture = new ServedModelFixture();

    [ClassCleanup]
    public static void Clean() => fixture.Dispose();

    [TestMethod]
    public async Task TheCardAndHealthDescribeTheModel()
    {
        await using var app = fixture.Serve();
        using var client = app.CreateClient();
        var card = JsonNode.Parse(await client.GetStringAsync("/model"))!;
        Assert.AreEqual("top", (string)card["modalities"]![0]!["name"]!);
        Assert.AreEqual("Top", (string)card["modalities"]![0]!["field"]!);
        Assert.AreEqual(TwoViewRow.Size, (int)card["modalities"]![1]!["size"]!);
        CollectionAssert.AreEqual(TwoViewRows.ClassNames, card["classes"]!.AsArray().Select(c => (string)c!).ToArray());
        Assert.AreEqual(64, ((string)card["sha256"]!).Length);
        var health = JsonNode.Parse(await client.GetStringAsync("/model/health"))!;
        Assert.AreEqual("ok", (string)health["status"]!);
    }

    [TestMethod]
    public async Task PredictionsEqualOfflineScoresWithMissingModalities()
    {
        await using var app = fixture.Serve();
        using var client = app.CreateClient();
        var rows = new JsonArray(fixture.Rows.Select((r, i) => (JsonNode)new JsonObject
        {
            // Row 3 has no bottom (absent), row 4 a null top: the model's missing-modality semantics.
            ["Top"] = i == 4 ? null : new JsonArray(r.Top.Select(v => (JsonNode)v).ToArray()),
            ["bottom"] = i == 3 ? null : new JsonArray(r.Bottom.Select(v => (JsonNode)v).ToArray()),
        }).ToArray());
        ((JsonObject)rows[3]!).Remove("bottom");
        var response = await client.PostAsJsonAsync("/model/predict", new JsonObject { ["rows"] = rows });
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        var predictions = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray();

        using var scorer = BulkScorer.FromModelFile(fixture.ModelPath);
        var top = ServedModelFixture.Flatten(fixture.Rows, r => r.Top);
        var bottom = ServedModelFixture.Flatten(fixture.Rows, r => r.Bottom);
        bottom.AsSpan(3 * TwoViewRow.Size, TwoViewRow.Size).Fill(float.NaN);
        top.AsSpan(4 * TwoViewRow.Size, TwoViewRow.Size).Fill(float.NaN);
        var expected = scorer.Score([top, bottom], fixture.Rows.Length);
        Assert.HasCount(expected.Length, predictions);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertRow(expected[i], predictions[i]!, $"row {i}");
        }

        Assert.IsNull(predictions[3]!["branches"]!["bottom"], "a missing modality has no branch probabilities");
        var single = await client.PostAsJsonAsync("/model/predict", new { Top = fixture.Rows[0].Top, Bottom = fixture.Rows[0].Bottom });
        AssertRow(fixture.Expected[0], JsonNode.Parse(await single.Content.ReadAsStringAsync())!["predictions"]![0]!, "one-row form");
    }

    [TestMethod]
    public async Task ConcurrentRequestsAreCoalescedAndEachGetsItsOwnRow()
    {
        await using var app = fixture.Serve(o => o.MaxBatchWait = TimeSpan.FromMilliseconds(20));
        using var client = app.CreateClient();
        var answers = await Task.WhenAll(fixture.Rows.Select(async (r, i) =>
        {
            var response = await client.PostAsJsonAsync("/model/predict", new { Top = r.Top, Bottom = r.Bottom });
            return (i, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]![0]!);
        }));
        foreach (var (i, answer) in answers)
        {
            AssertRow(fixture.Expected[i], answer, $"request {i}");
        }

        var (rows, calls) = app.Services.GetRequiredService<ScoringQueue>().Coalesced;
        Assert.AreEqual(fixture.Rows.Length, rows);
        Assert.IsLessThan(fixture.Rows.Length, calls, $"{rows} single-row requests took {calls} ONNX Runtime calls");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public async Task RowsReadForOtherInputsThanTheServedModelsGetARetryNotAnAnswer(bool coalesce)
    {
        // What a request parsed just before a swap to a model with other inputs carries; it must not poison its batch.
        await using var app = fixture.Serve(o =>
        {
            o.CoalesceRequests = coalesce;
            o.MaxBatchWait = TimeSpan.FromMilliseconds(50);
        });
        var queue = app.Services.GetRequiredService<ScoringQueue>();
        var row = fixture.Rows[0];
        var stale = queue.ScoreAsync([new float[TwoViewRow.Size - 1], row.Bottom], 1);
        var good = queue.ScoreAsync([row.Top, row.Bottom], 1);

        await Assert.ThrowsExactlyAsync<ModelChangedException>(() => stale);
        var (predictions, model) = await good;
        Assert.AreEqual(app.Services.GetRequiredService<ModelHost>().Card.Sha256, model.Sha256);
        CollectionAssert.AreEqual(fixture.Expected[0].Score, predictions[0].Score, new Tolerance(1e-6f));
    }

    [TestMethod]
    public void AMissingOrBrokenModelFileStopsTheStartNamingIt()
    {
        var missing = Path.Combine(fixture.Folder, "missing.zip");
        var broken = Path.Combine(fixture.Folder, "broken.zip");
        File.WriteAllBytes(broken, File.ReadAllBytes(fixture.ModelPath)[..1000]);
        foreach (var path in new[] { missing, broken })
        {
            var error = Assert.Throws<Exception>(() => ServedModelFixture.Serve(path));
            StringAssert.Contains(error.Message, Path.GetFileName(path));
        }
    }

    [TestMethod]
    public async Task AnOversizeBodyOfUnknownLengthAndAnUploadToAVectorModelGet400()
    {
        var errors = new List<string>();
        // Kestrel, because the in-memory server gives every body a length; without one the limit is counted while reading.
        // (The redirect handler of a default client would buffer the body and give it a length.)
        await using var app = ServedModelFixture.Serve(fixture.ModelPath, o => o.MaxRequestBytes = 4096, errors, kestrel: true);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri(address) });
        var body = new UnknownLengthContent(Encoding.UTF8.GetBytes($$"""{"pad": "{{new string('x', 10_000)}}"}"""));
        body.Headers.ContentType = new("application/json");
        var response = await client.PostAsync("/model/predict", body);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "more than 4096 bytes");

        var form = new MultipartFormDataContent { { new StringContent("[1]"), "Top" } };
        response = await client.PostAsync("/model/predict/files", form);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(),
            "This model reads vectors, not files: POST JSON to /model/predict");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    public static IEnumerable<object[]> BadRequests()
    {
        var good = string.Join(",", Enumerable.Repeat("0.5", TwoViewRow.Size));
        var seven = string.Join(",", Enumerable.Repeat("0.5", TwoViewRow.Size - 1));
        return
        [
            ["application/json", $$"""{"Top": [{{seven}}], "Bottom": [{{good}}]}""", "Top: 7 numbers"],
            ["application/json", $$"""{"rows": [{"Top": [{{good}}]}, {"Bottom": [{{seven}}]}]}""", "rows[1].Bottom"],
            ["application/json", $$"""{"Top": [{{good}}], "Sound": [1]}""", "no modality 'Sound'"],
            ["application/json", $$"""{"Top": ["a"{{good[3..]}}]}""", "Top[0]: not a finite number"],
            ["application/json", """{"Top": "0.5"}""", "Top: expected an array"],
            ["application/json", """{"rows": []}""", "'rows' has 0 rows"],
            ["application/json", """{"Top": [1, 2""", "not valid JSON"],
            ["application/json", """[1, 2]""", "must be a JSON object"],
            ["text/plain", $$"""{"Top": [{{good}}]}""", "Content-Type"],
            ["application/json", $$"""{"Top": [{{good}}], "Bottom": [{{good}}], "pad": "{{new string('x', 5000)}}"}""", "MaxRequestBytes"],
        ];
    }

    [TestMethod]
    [DynamicData(nameof(BadRequests))]
    public async Task BadRequestsGet400NamingTheFieldAndLogNoError(string contentType, string body, string expected)
    {
        var errors = new List<string>();
        await using var app = fixture.Serve(o => o.MaxRequestBytes = 4096, errors);
        using var client = app.CreateClient();
        var response = await client.PostAsync("/model/predict", new StringContent(body, Encoding.UTF8, contentType));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expected);
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    public static IEnumerable<object[]> InvalidUtf8Bodies()
    {
        var good = string.Join(",", Enumerable.Repeat("0.5", TwoViewRow.Size));
        return
        [
            [$$"""{"Top": [{{good}}], "B@@": [{{good}}]}""", "the row: a field name is not valid UTF-8"],
            [$$"""{"Top": ["@@"{{good[3..]}}], "Bottom": [{{good}}]}""", "Top[0]: not a finite number (a string that is not valid UTF-8)"],
        ];
    }

    [TestMethod]
    [DynamicData(nameof(InvalidUtf8Bodies))]
    public async Task InvalidUtf8InANameOrAValueGets400NamingWhere(string template, string expected)
    {
        var errors = new List<string>();
        await using var app = fixture.Serve(o => { }, errors);
        using var client = app.CreateClient();
        // "@@" becomes 0xC3 0x28: a two-byte lead followed by a byte that cannot continue it.
        var text = Encoding.UTF8.GetBytes(template);
        var at = template.IndexOf("@@", StringComparison.Ordinal);
        byte[] bytes = [.. text[..at], 0xC3, 0x28, .. text[(at + 2)..]];
        using var body = new ByteArrayContent(bytes);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await client.PostAsync("/model/predict", body);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, answer);
        StringAssert.Contains(answer, expected);
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class Tolerance(float epsilon) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => x is float a && y is float b && Math.Abs(a - b) <= epsilon ? 0 : 1;
    }

    internal static void AssertRow(BulkPrediction expected, JsonNode actual, string what)
    {
        Assert.AreEqual(expected.PredictedLabel.Length == 0 ? null : expected.PredictedLabel, (string?)actual["label"], what);
        var probabilities = actual["probabilities"]!;
        for (var c = 0; c < TwoViewRows.ClassNames.Length; c++)
        {
            Assert.AreEqual(expected.Score[c], (float)probabilities[TwoViewRows.ClassNames[c]]!, 1e-6f, $"{what}, class {c}");
        }

        var weights = actual["branchWeights"]!.AsObject().Select(p => (float)p.Value!).ToArray();
        Assert.HasCount(expected.BranchWeights.Length, weights, $"{what}: branch weights");
        for (var b = 0; b < weights.Length; b++)
        {
            Assert.AreEqual(expected.BranchWeights[b], weights[b], 1e-6f, $"{what}: branch weight {b}");
        }

        var branches = actual["branches"]!.AsObject().Select(p => p.Value).ToArray();
        for (var m = 0; m < expected.ModalityScores.Length; m++)
        {
            for (var c = 0; c < TwoViewRows.ClassNames.Length; c++)
            {
                if (float.IsNaN(expected.ModalityScores[m][c]))
                {
                    Assert.IsNull(branches[m], $"{what}: branch {m} is missing");
                    break;
                }

                var probability = (float)branches[m]![TwoViewRows.ClassNames[c]]!;
                Assert.AreEqual(expected.ModalityScores[m][c], probability, 1e-6f, $"{what}: branch {m}");
            }
        }
    }
}
