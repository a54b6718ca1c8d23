using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiMml.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace DiMml.MLNet.Tests.AspNetCore;

/// <summary>A model file replaced while requests are in flight: every request is answered, each by the old or the new
/// model exactly, and a broken file leaves the current model serving.</summary>
[TestClass]
public sealed class HotSwapTests
{
    [TestMethod]
    public async Task ReplacingTheFileUnderLoadLosesNoRequest()
    {
        using var fixture = new ServedModelFixture();
        var replacement = Path.Combine(fixture.Folder, "next.zip");
        ServedModelFixture.Save(replacement, epochs: 2, seed: 7);
        using var nextScorer = BulkScorer.FromModelFile(replacement);
        var rows = fixture.Rows.Take(8).ToArray();
        var expectedNext = nextScorer.Score([ServedModelFixture.Flatten(rows, r => r.Top), ServedModelFixture.Flatten(rows, r => r.Bottom)],
            rows.Length);

        await using var app = fixture.Serve();
        using var client = app.CreateClient();
        var host = app.Services.GetRequiredService<ModelHost>();
        var oldModel = host.Card.Sha256;
        using var stop = new CancellationTokenSource();
        var answered = new List<(int Row, string Model, JsonNode Prediction)>();
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            for (var k = 0; !stop.IsCancellationRequested || k < 5; k++)
            {
                var row = (c + k) % rows.Length;
                var response = await client.PostAsJsonAsync("/model/predict", new { Top = rows[row].Top, Bottom = rows[row].Bottom });
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                lock (answered)
                {
                    answered.Add((row, (string)body["model"]!, body["predictions"]![0]!));
                }
            }
        })).ToArray();

        await Task.Delay(200);
        File.Copy(replacement, fixture.ModelPath, overwrite: true);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (host.Card.Sha256 == oldModel && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300);
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.AreNotEqual(oldModel, host.Card.Sha256, "the replaced file was swapped in");
        Assert.AreEqual(1, host.Swaps);
        Assert.IsTrue(answered.Any(a => a.Model == oldModel) && answered.Any(a => a.Model != oldModel), "answers from both versions");
        foreach (var (row, model, prediction) in answered)
        {
            var expected = model == oldModel ? fixture.Expected[row] : expectedNext[row];
            EndpointTests.AssertRow(expected, prediction, $"row {row} by {model[..8]}");
        }
    }

    [TestMethod]
    public async Task ABrokenFileLeavesTheCurrentModelServing()
    {
        using var fixture = new ServedModelFixture(epochs: 1);
        await using var app = fixture.Serve();
        var host = app.Services.GetRequiredService<ModelHost>();
        var serving = host.Card.Sha256;
        var bytes = await File.ReadAllBytesAsync(fixture.ModelPath);
        await File.WriteAllBytesAsync(fixture.ModelPath, bytes[..(bytes.Length / 2)]);

        Assert.ThrowsExactly<InvalidDataException>(() => host.Reload());
        Assert.AreEqual(serving, host.Card.Sha256);
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/model/predict", new { Top = fixture.Rows[0].Top, Bottom = fixture.Rows[0].Bottom });
        EndpointTests.AssertRow(fixture.Expected[0], JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]![0]!,
            "after a broken file");
    }
}
