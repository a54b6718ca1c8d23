using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DiMml.MLNet.Tests.AspNetCore;

/// <summary><c>POST /model/predict/files</c> on a model whose pipeline starts from files (a WAV clip through the audio
/// spectrogram, a PNG through LoadImages, ResizeImages and ExtractPixels) plus a vector: answers equal the saved pipeline run
/// offline by ML.NET, a left-out input is missing for the row, and every bad upload gets 400 naming the field.</summary>
[TestClass]
public sealed class FileUploadTests
{
    private const int Side = 8;
    private static string folder = "";
    private static string modelPath = "";
    private static UploadRow[] rows = [];

    public sealed class UploadRow
    {
        public string Label { get; set; } = "";

        public string Audio { get; set; } = "";

        public string Picture { get; set; } = "";

        [VectorType(TwoViewRow.Size)]
        public float[] Vector { get; set; } = [];
    }

    private sealed class OfflinePrediction
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] BranchWeights { get; set; } = [];
    }

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        folder = Directory.CreateTempSubdirectory("dimml-upload-test-").FullName;
        modelPath = Path.Combine(folder, "model.zip");
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(Rows(90, sample: 0));
        var options = TwoViewRows.SmallOptions(epochs: 4);
        options.Modalities.Clear();
        options.Modalities.Add(new ModalityOptions { Name = "audio", ColumnName = "Spectrogram", HiddenSizes = [16] });
        options.Modalities.Add(new ModalityOptions { Name = "picture", ColumnName = "Pixels", HiddenSizes = [16] });
        options.Modalities.Add(new ModalityOptions { Name = "vector", ColumnName = "Vector", HiddenSizes = [16] });
        var spectrogram = new AudioSpectrogramEstimator.Options
        {
            Seconds = 1,
            WindowSize = 256,
            HopLength = 256,
            Center = false,
            MelBins = 16,
        };
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AudioSpectrogram("Spectrogram", "Audio", spectrogram))
            .Append(ml.Transforms.LoadImages("PictureImage", null, "Picture"))
            .Append(ml.Transforms.ResizeImages("PictureImage", Side, Side))
            .Append(ml.Transforms.ExtractPixels("Pixels", "PictureImage", ImagePixelExtractingEstimator.ColorBits.Red,
                scaleImage: 1f / 255))
            .Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        ml.Model.Save(model, train.Schema, modelPath);
        (model as IDisposable)?.Dispose();
        rows = Rows(6, sample: 1);
    }

    [ClassCleanup]
    public static void Clean() => Directory.Delete(folder, recursive: true);

    // The class sets the tone's pitch, the picture's brightness pattern and the vector's cluster, each with noise.
    private static UploadRow[] Rows(int count, int sample)
    {
        var random = new Random(sample);
        return TwoViewRows.Make(count, seed: 42, sample: sample).Select((row, i) =>
        {
            var c = Array.IndexOf(TwoViewRows.ClassNames, row.Label);
            var audio = Path.Combine(folder, $"{sample}-{i}.wav");
            WavWriter.Write(audio, WavWriter.Tone(300 * (c + 1), 0.5 + 0.5 * random.NextDouble(), 16000, amplitude: 0.3), 16000);
            var pixels = new byte[Side, Side];
            for (var p = 0; p < Side * Side; p++)
            {
                pixels[p / Side, p % Side] = (byte)Math.Clamp(128 + 12 * row.Bottom[p % Side] + random.Next(-10, 10), 0, 255);
            }

            var picture = Path.Combine(folder, $"{sample}-{i}.png");
            PngWriter.WriteGrey(picture, pixels);
            return new UploadRow { Label = row.Label, Audio = audio, Picture = picture, Vector = row.Top };
        }).ToArray();
    }

    private static OfflinePrediction[] Offline(IEnumerable<UploadRow> data)
    {
        var ml = new MLContext(seed: 0);
        ml.ComponentCatalog.RegisterAssembly(typeof(Serving.Audio.AudioDecodeContracts).Assembly);
        var model = ml.Model.Load(modelPath, out _);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(data));
        var predictions = ml.Data.CreateEnumerable<OfflinePrediction>(scored, reuseRowObject: false).ToArray();
        (model as IDisposable)?.Dispose();
        return predictions;
    }

    // The spectrogram and pixel columns the saved pipeline computes offline for the row.
    private static float[][] Featurized(UploadRow row)
    {
        var ml = new MLContext(seed: 0);
        ml.ComponentCatalog.RegisterAssembly(typeof(Serving.Audio.AudioDecodeContracts).Assembly);
        var model = ml.Model.Load(modelPath, out _);
        var featurized = model.Transform(ml.Data.LoadFromEnumerable([row]));
        var columns = new[] { "Spectrogram", "Pixels" }.Select(c => featurized.GetColumn<float[]>(c).Single()).ToArray();
        (model as IDisposable)?.Dispose();
        return columns;
    }

    private static MultipartFormDataContent Form(UploadRow row, bool audio = true, bool picture = true)
    {
        var form = new MultipartFormDataContent();
        if (audio)
        {
            form.Add(new ByteArrayContent(File.ReadAllBytes(row.Audio)), "Audio", "clip.wav");
        }

        if (picture)
        {
            form.Add(new ByteArrayContent(File.ReadAllBytes(row.Picture)), "Picture", "picture.png");
        }

        form.Add(new StringContent(JsonSerializer.Serialize(row.Vector)), "Vector");
        return form;
    }

    [TestMethod]
    public async Task TheCardListsTheFileInputs()
    {
        await using var app = ServedModelFixture.Serve(modelPath);
        using var client = app.CreateClient();
        var card = JsonNode.Parse(await client.GetStringAsync("/model"))!;
        CollectionAssert.AreEqual(new[] { "Audio", "Picture" }, card["files"]!.AsArray().Select(f => (string)f!).ToArray());
        // The spectrogram's graph comes first in the zip; the model's is the one read.
        CollectionAssert.AreEqual(new[] { "audio", "picture", "vector" }, DiMmlModelInfo.Read(modelPath).ModalityNames.ToArray());
        CollectionAssert.AreEqual(new[] { "audio", "picture", "vector" },
            card["modalities"]!.AsArray().Select(m => (string)m!["name"]!).ToArray());
    }

    [TestMethod]
    public async Task UploadsEqualTheSavedPipelineRunOfflineAndALeftOutInputIsMissing()
    {
        await using var app = ServedModelFixture.Serve(modelPath);
        using var client = app.CreateClient();
        var expected = Offline(rows);
        for (var i = 0; i < rows.Length; i++)
        {
            AssertAnswer(expected[i], await PostAsync(client, Form(rows[i])), $"row {i}");
        }

        var noAudio = new UploadRow { Label = rows[0].Label, Picture = rows[0].Picture, Vector = rows[0].Vector };
        var answer = await PostAsync(client, Form(rows[0], audio: false));
        AssertAnswer(Offline([noAudio])[0], answer, "no audio part");
        Assert.IsNull(answer["branches"]!["audio"], "a left-out file is a missing modality");
        Assert.IsNotNull(answer["branches"]!["picture"]);

        // ML.NET's image loader reads an empty path as a blank image, as the pipeline does offline; null marks it missing.
        var noPicture = new UploadRow { Label = rows[1].Label, Audio = rows[1].Audio, Vector = rows[1].Vector };
        answer = await PostAsync(client, Form(rows[1], picture: false));
        AssertAnswer(Offline([noPicture])[0], answer, "no picture part");
        var form = Form(rows[1], picture: false);
        form.Add(new StringContent("null"), "picture");
        answer = await PostAsync(client, form);
        Assert.IsNull(answer["branches"]!["picture"], "a modality sent as null is missing");
        Assert.AreEqual(0f, (float)answer["branchWeights"]!["picture"]!);
        using var scorer = BulkScorer.FromModelFile(modelPath);
        var features = Featurized(rows[1]);
        var withoutPicture = scorer.Score([features[0], Enumerable.Repeat(float.NaN, Side * Side).ToArray(), rows[1].Vector], 1)[0];
        EndpointTests.AssertRow(withoutPicture, answer, "picture null");
    }

    public static IEnumerable<object[]> BadUploads() =>
    [
        ["truncated wav", "Audio: Audio file 'clip.wav' cannot be decoded: its data chunk declares"],
        ["not a wav", "Audio: Audio file 'clip.wav' cannot be decoded: it is not a RIFF/WAVE file"],
        ["not an image", "Picture: the model's featurizers cannot read it"],
        ["short vector", "Vector: send a JSON array of 8 finite numbers"],
        ["unknown field", "Sound: this model reads no input 'Sound'"],
        ["field twice", "Audio: given twice"],
        ["oversize", "MaxUploadBytes"],
        ["json body", "Content-Type: send multipart/form-data"],
        ["cut short", "body: not a complete multipart/form-data body"],
        ["server path", "Audio: upload it as a file part"],
        ["vector as file", "Vector: send it as a text part"],
    ];

    [TestMethod]
    [DynamicData(nameof(BadUploads))]
    public async Task BadUploadsGet400NamingTheFieldAndLogNoError(string problem, string expected)
    {
        var errors = new List<string>();
        await using var app = ServedModelFixture.Serve(modelPath, o => o.MaxUploadBytes = 100_000, errors);
        using var client = app.CreateClient();
        var response = await client.PostAsync("/model/predict/files", BadUpload(problem));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expected);
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    private static HttpContent BadUpload(string problem)
    {
        var row = rows[0];
        var form = new MultipartFormDataContent();
        var wav = File.ReadAllBytes(row.Audio);
        form.Add(new ByteArrayContent(problem switch
        {
            "truncated wav" => wav[..(wav.Length / 2)],
            "not a wav" => "hello"u8.ToArray(),
            "oversize" => [.. wav, .. new byte[100_000]],
            _ => wav,
        }), "Audio", "clip.wav");
        form.Add(new ByteArrayContent(problem == "not an image" ? "hello"u8.ToArray() : File.ReadAllBytes(row.Picture)), "Picture",
            "picture.png");
        form.Add(new StringContent(problem == "short vector" ? "[1, 2]" : JsonSerializer.Serialize(row.Vector)), "Vector");
        if (problem == "unknown field")
        {
            form.Add(new StringContent("1"), "Sound");
        }

        if (problem == "field twice")
        {
            form.Add(new ByteArrayContent(wav[..1000]), "Audio", "again.wav");
        }

        if (problem == "server path")
        {
            // A path on the server is never read: file inputs take uploaded files only.
            form = new MultipartFormDataContent { { new StringContent(row.Audio), "Audio" } };
        }

        if (problem == "vector as file")
        {
            form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("[1]")), "Vector", "v.json" } };
        }

        return problem switch
        {
            "json body" => new StringContent("{\"Vector\": [1]}", Encoding.UTF8, "application/json"),
            "cut short" => CutShort(),
            _ => form,
        };
    }

    // A part that never ends: no closing boundary.
    private static StringContent CutShort()
    {
        var content = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"Vector\"\r\n\r\n[1, 2");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        return content;
    }

    private static async Task<JsonNode> PostAsync(HttpClient client, HttpContent content)
    {
        var response = await client.PostAsync("/model/predict/files", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        return JsonNode.Parse(text)!["predictions"]![0]!;
    }

    private static void AssertAnswer(OfflinePrediction expected, JsonNode actual, string what)
    {
        Assert.AreEqual(expected.PredictedLabel, (string?)actual["label"], what);
        for (var c = 0; c < TwoViewRows.ClassNames.Length; c++)
        {
            Assert.AreEqual(expected.Score[c], (float)actual["probabilities"]![TwoViewRows.ClassNames[c]]!, 1e-5f, $"{what}, class {c}");
        }

        var weights = actual["branchWeights"]!.AsObject().Select(p => (float)p.Value!).ToArray();
        Assert.HasCount(expected.BranchWeights.Length, weights, what);
        for (var b = 0; b < weights.Length; b++)
        {
            Assert.AreEqual(expected.BranchWeights[b], weights[b], 1e-5f, $"{what}: branch weight {b}");
        }
    }
}
