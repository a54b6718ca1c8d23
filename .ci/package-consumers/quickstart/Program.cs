using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: Consumer <folder>. What a new user writes from the README and the guides, against the packed packages, outside any
// DiMml namespace and with only the documented using lines: the README quickstart (two MLP modalities), then one DI-MML fit
// over an image (ResNet-18, augmented, ImageNet-normalised), an audio (WAV files -> spectrogram) and a video modality (video
// files -> frames), saved and loaded back. Prints the ML.NET version it ran on.
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Consumer <folder>");
var mlnet = System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(MLContext).Assembly.Location).ProductVersion ?? "";
Console.WriteLine($"consumer: ML.NET {mlnet}");
var quickstart = Quickstart(Path.Combine(folder, "quickstart"));
var multimodal = ImageAudioVideo(Path.Combine(folder, "media"));
var cancelled = CancelExecutionStopsFit();
return mlnet.StartsWith("6.", StringComparison.Ordinal) && quickstart > 0.9 && multimodal > 0.6 && cancelled ? 0 : 1;

// MLContext.CancelExecution (internal: ML.NET's AutoML calls it, this check by reflection) stops a running Fit. DiMml reads the
// cancellation state it sets by reflection too, so this checks that DiMml still finds it on this ML.NET version.
static bool CancelExecutionStopsFit()
{
    var ml = new MLContext(seed: 0);
    var random = new Random(1);
    var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3000).Select(i => TopBottom.Make(i % 3, random)).ToArray());
    var options = new DiMmlTrainer.Options { Epochs = 1000, Seed = 0, Inference = InferenceFusion.CertaintyWeighting };
    options.Modalities.Add(new ModalityOptions { ColumnName = "Top" });
    options.Modalities.Add(new ModalityOptions { ColumnName = "Bottom" });
    var cancel = typeof(MLContext).GetMethod("CancelExecution",
        System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
        ?? throw new MissingMethodException("MLContext.CancelExecution");
    options.EpochCompleted = _ => cancel.Invoke(ml, null);
    var watch = System.Diagnostics.Stopwatch.StartNew();
    try
    {
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(data);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine($"consumer: MLContext.CancelExecution stopped the Fit after {watch.Elapsed.TotalSeconds:F1} s");
        return true;
    }

    Console.WriteLine("consumer: MLContext.CancelExecution did not stop the Fit");
    return false;
}

// The README's quickstart, verbatim but for the data.
static double Quickstart(string folder)
{
    Directory.CreateDirectory(folder);
    var random = new Random(0);
    TopBottom[] Rows(int count) => Enumerable.Range(0, count).Select(i => TopBottom.Make(i % 3, random)).ToArray();
    var ml = new MLContext(seed: 0);
    var (train, test) = (ml.Data.LoadFromEnumerable(Rows(300)), ml.Data.LoadFromEnumerable(Rows(90)));

    var options = new DiMmlTrainer.Options { Epochs = 30, BatchSize = 64, Seed = 0 };
    options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top" });          // MLP encoder by default
    options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom" });
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.MulticlassClassification.Trainers.DiMml(options))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    ml.Model.Save(model, train.Schema, Path.Combine(folder, "dimml.zip"));
    var info = DiMmlModelInfo.Read(Path.Combine(folder, "dimml.zip"));
    Console.WriteLine($"consumer: quickstart test accuracy {metrics.MicroAccuracy:P1}, modalities {string.Join(", ", info.ModalityNames)}");
    return metrics.MicroAccuracy;
}

// An image, an audio and a video modality in one DI-MML fit, as docs/images-and-frames.md, audio.md and video.md declare them.
static double ImageAudioVideo(string folder)
{
    Directory.CreateDirectory(folder);
    var rows = Enumerable.Range(0, 48).Select(i => Media.Write(folder, i, i % 3)).ToArray();
    var ml = new MLContext(seed: 0);
    var data = ml.Data.LoadFromEnumerable(rows);

    var audio = new AudioSpectrogramEstimator.Options { Seconds = 1, WindowSize = 256, HopLength = 256, MelBins = 16 };
    var frames = new VideoFramesOptions { Frames = 4, Height = 16, Width = 16 };
    var options = new DiMmlTrainer.Options
    {
        Epochs = 6, BatchSize = 16, LearningRate = 0.05, EmbeddingSize = 16, FusionEpochs = 2, Seed = 0,
        Inference = InferenceFusion.CertaintyWeighting,
    };
    options.Modalities.Add(new ModalityOptions
    {
        Name = "image", ColumnName = "Image", Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(3, 1, 16, 16),
        Augmentation = Augmentation.PadCrop(2), Normalization = ChannelNormalization.ImageNet,
    });
    options.Modalities.Add(new ModalityOptions
    {
        Name = "audio", ColumnName = "Spectrogram", Encoder = EncoderKind.ResNet18,
        Shape = new ModalityShape(1, 1, audio.Bins, audio.Frames),
    });
    options.Modalities.Add(new ModalityOptions
    {
        Name = "video", ColumnName = "Frames", Encoder = EncoderKind.ResNet18, Shape = frames.Shape,
    });
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.AudioSpectrogram("Spectrogram", "Wav", audio))
        .Append(ml.Transforms.VideoFrames("Frames", "Clip", frames))
        .Append(ml.MulticlassClassification.Trainers.DiMml(options));
    var model = pipeline.Fit(data);
    var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy;

    var path = Path.Combine(folder, "media.zip");
    ml.Model.Save(model, data.Schema, path);
    var loaded = new MLContext().Model.Load(path, out _);
    var before = model.Transform(data).GetColumn<float[]>("Score").ToArray();
    var after = loaded.Transform(data).GetColumn<float[]>("Score").ToArray();
    var largest = before.Zip(after, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
    Console.WriteLine($"consumer: image + audio + video training accuracy {accuracy:P1}; saved and loaded, " +
        $"largest score change {largest:G3}");
    return largest < 1e-4 ? accuracy : 0;
}

/// <summary>A row of the quickstart: two views of one class.</summary>
public sealed class TopBottom
{
    public string Label { get; set; } = "";

    [VectorType(8)]
    public float[] Top { get; set; } = [];

    [VectorType(8)]
    public float[] Bottom { get; set; } = [];

    public static TopBottom Make(int label, Random random)
    {
        float[] View() => Enumerable.Range(0, 8).Select(d => (float)(d % 3 == label ? 1.5 : 0) + (float)random.NextDouble()).ToArray();
        return new TopBottom { Label = $"class{label}", Top = View(), Bottom = View() };
    }
}

/// <summary>A row with an image vector, a WAV path and a video path; every class has its own colour, tone and motion.</summary>
public sealed class Media
{
    public string Label { get; set; } = "";

    [VectorType(3 * 16 * 16)]
    public float[] Image { get; set; } = [];

    public string Wav { get; set; } = "";

    public string Clip { get; set; } = "";

    public static Media Write(string folder, int index, int label)
    {
        var random = new Random(index);
        var image = Enumerable.Range(0, 3 * 16 * 16)
            .Select(i => (float)((i / 256 == label ? 0.8 : 0.1) + 0.2 * random.NextDouble())).ToArray();
        var wav = Path.Combine(folder, $"{index}.wav");
        WriteTone(wav, 300 * (label + 1), random);
        var clip = Path.Combine(folder, $"{index}.avi");
        WriteClip(clip, label, random);
        return new Media { Label = $"class{label}", Image = image, Wav = wav, Clip = clip };
    }

    // 1 s of 16-bit PCM mono at 16 kHz: a tone of the class's pitch in noise.
    private static void WriteTone(string path, double hertz, Random random)
    {
        const int rate = 16_000;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8); writer.Write(36 + rate * 2); writer.Write("WAVEfmt "u8); writer.Write(16); writer.Write((short)1);
        writer.Write((short)1); writer.Write(rate); writer.Write(rate * 2); writer.Write((short)2); writer.Write((short)16);
        writer.Write("data"u8); writer.Write(rate * 2);
        for (var n = 0; n < rate; n++)
        {
            writer.Write((short)(8000 * Math.Sin(2 * Math.PI * hertz * n / rate) + 2000 * (random.NextDouble() - 0.5)));
        }
    }

    // Eight MJPG frames of a square of the class's colour moving across a dark background (OpenCV comes with DiMml.Video).
    private static void WriteClip(string path, int label, Random random)
    {
        using var writer = new OpenCvSharp.VideoWriter(path, OpenCvSharp.FourCC.MJPG, 10, new OpenCvSharp.Size(32, 32));
        var colour = label switch { 0 => new OpenCvSharp.Scalar(255, 0, 0), 1 => new OpenCvSharp.Scalar(0, 255, 0), _ => new(0, 0, 255) };
        var y = random.Next(4, 16);
        for (var t = 0; t < 8; t++)
        {
            using var frame = new OpenCvSharp.Mat(32, 32, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(20, 20, 20));
            OpenCvSharp.Cv2.Rectangle(frame, new OpenCvSharp.Rect(2 + 2 * t, y, 10, 10), colour, -1);
            writer.Write(frame);
        }
    }
}
