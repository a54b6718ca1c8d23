using System.Net;
using System.Net.Sockets;
using DiMml.TestSupport;
using Microsoft.Playwright;

namespace DiMml.MLNet.Tests.AspNetCore;

/// <summary>
/// The serve example's page in a real browser: Debian's chromium (installed by .ci/install-debian-tools.sh), driven by
/// Playwright, against `DiMml.Examples serve` running as its own process on a free localhost port.
/// </summary>
[TestClass]
public sealed class ServePageTests
{
    [TestMethod]
    [TestCategory("Integration")]
    public async Task ThePageShowsTheServersPredictionsForATestImageAHiddenHalfAndABadRequest()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Inconclusive($"No chromium at {chromium}: run bash .ci/install-debian-tools.sh (CI does) or set CHROMIUM_PATH.");
        }

        var folder = Directory.CreateTempSubdirectory("dimml-page-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        using var server = StartServer(folder, url);
        try
        {
            await WaitForHealth(url, server);
            var model = Path.Combine(folder, "dimml-quickstart-model.zip");
            var (top, bottom, labels) = TestImages(24);
            using var scorer = BulkScorer.FromModelFile(model);
            var expected = scorer.Score([top, bottom], 24);
            var hidden = top.ToArray();
            hidden.AsSpan(0, 392).Fill(float.NaN);
            var expectedHidden = scorer.Score([hidden[..392], bottom[..392]], 1)[0];

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
            var page = await browser.NewPageAsync();
            await page.GotoAsync(url);
            var samples = page.Locator("#samples canvas");
            await Assertions.Expect(samples).ToHaveCountAsync(24);
            await Assertions.Expect(page.Locator("#card")).ToContainTextAsync("top (392 numbers), bottom (392 numbers)");

            // A test image: the server's label, ten probability bars, a weight per branch, both halves' own predictions.
            await samples.Nth(0).ClickAsync();
            await Assertions.Expect(page.Locator("#label")).ToHaveTextAsync(expected[0].PredictedLabel);
            await Assertions.Expect(page.Locator("#truth")).ToHaveTextAsync($"True label: {labels[0]}");
            await Assertions.Expect(page.Locator("#probabilities .bar")).ToHaveCountAsync(10);
            var best = expected[0].Score.Max();
            await Assertions.Expect(page.Locator($"#probabilities .bar[data-name=\"{expected[0].PredictedLabel}\"] .value"))
                .ToHaveTextAsync(best.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#weights .bar")).ToHaveCountAsync(expected[0].BranchWeights.Length);
            await Assertions.Expect(page.Locator("#branches .bar")).ToHaveCountAsync(2);

            // The top half hidden: the top branch is missing and the label is the server's for the bottom half alone.
            await page.Locator("#hide-top").CheckAsync();
            await samples.Nth(0).ClickAsync();
            await Assertions.Expect(page.Locator("#branches .bar[data-name=\"top\"] .value")).ToHaveTextAsync("missing");
            await Assertions.Expect(page.Locator("#label")).ToHaveTextAsync(expectedHidden.PredictedLabel);

            // A bad request typed by hand: the server's 400 message, naming the field, shown on the page.
            await page.Locator("#body").FillAsync("""{"Top": [1, 2]}""");
            await page.Locator("#send").ClickAsync();
            await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("Top: 2 numbers; this model needs 392");
            await Assertions.Expect(page.Locator("#result")).ToBeHiddenAsync();
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static System.Diagnostics.Process StartServer(string folder, string url)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { ChildProcess.BuiltBeside("DiMml.Examples", "examples", "DiMml.Examples.dll"), "serve",
            "--epochs", "1", "--threads", "2", "--out", folder })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = url;
        var process = System.Diagnostics.Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForHealth(string url, System.Diagnostics.Process server)
    {
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline && !server.HasExited)
        {
            try
            {
                if ((await client.GetAsync($"{url}/model/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        Assert.Fail($"the serve example did not answer at {url} (exited: {server.HasExited})");
    }

    // The page's samples: the first rows of the shipped test split, as the serve example reads them.
    private static (float[] Top, float[] Bottom, string[] Labels) TestImages(int count)
    {
        var folder = Path.Combine(Path.GetDirectoryName(ChildProcess.BuiltBeside("DiMml.Examples", "examples", "DiMml.Examples.dll"))!,
            "data", "fashion-mnist-small");
        var (pixels, _, _, _) = IdxImages.ReadImages(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        var labels = IdxImages.ReadLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        string[] names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        var top = new float[count * 392];
        var bottom = new float[count * 392];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < 392; p++)
            {
                top[i * 392 + p] = pixels[i * 784 + p] / 255f;
                bottom[i * 392 + p] = pixels[i * 784 + 392 + p] / 255f;
            }
        }

        return (top, bottom, labels.Take(count).Select(l => names[l]).ToArray());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
