using DiMml.TestSupport;
using DiMml.Video;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>Video files in the pipeline: which frames are sampled, the layout ResNet modalities expect, the flow of a known
/// translation, bad files, and a saved model scoring identically in a fresh process with only the serving packages.</summary>
[TestClass]
public sealed class VideoTests
{
    private static string folder = "";

    [ClassInitialize]
    public static void MakeFolder(TestContext context) => folder = Directory.CreateTempSubdirectory("dimml-video-").FullName;

    [ClassCleanup]
    public static void Clean() => Directory.Delete(folder, recursive: true);

    public sealed class ClipRow
    {
        public string Label { get; set; } = "";

        public string Clip { get; set; } = "";
    }

    [TestMethod]
    public void FramesAreSampledAtSegmentCentresOrAtAStride()
    {
        CollectionAssert.AreEqual(new[] { 4, 12, 20, 28 }, FrameSampling.Positions(32, 4, 0));
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 2, 2 }, FrameSampling.Positions(3, 5, 0), "a short clip repeats frames");
        CollectionAssert.AreEqual(new[] { 0, 3, 6, 9 }, FrameSampling.Positions(10, 4, 3));
        CollectionAssert.AreEqual(new[] { 0, 3, 4, 4 }, FrameSampling.Positions(5, 4, 3), "held at the last frame");
    }

    [TestMethod]
    public void FramesAreLaidOutFrameAfterFrameWithEachFramesChannelsContiguous()
    {
        var path = Path.Combine(folder, "solid.avi");
        // Frame f is solid (8f, 100, 200): the sampled frames 2, 6 (of 8, evenly) must read back as R, G, B planes in turn.
        ClipWriter.WriteSolid(path, f => (8 * f, 100, 200), frames: 8, size: 32);
        var spec = new VideoSpec(VideoContent.Frames, Frames: 2, Height: 16, Width: 16);
        var values = new float[spec.Size];
        VideoDecoding.Decode(path, spec, values);
        var plane = 16 * 16;
        for (var f = 0; f < 2; f++)
        {
            var expected = new[] { 8 * (2 + 4 * f), 100, 200 };
            for (var c = 0; c < 3; c++)
            {
                var slice = values.AsSpan((f * 3 + c) * plane, plane).ToArray();
                Assert.AreEqual(expected[c] / 255.0, slice.Average(), 0.03, $"frame {f}, channel {c}");
                Assert.IsLessThan(0.03, slice.Max() - slice.Min(), $"frame {f}, channel {c} is one plane");
            }
        }

        var grey = new VideoSpec(VideoContent.Frames, Frames: 2, Height: 16, Width: 16, Grey: true);
        Assert.AreEqual(2 * plane, grey.Size);
    }

    [TestMethod]
    public void FlowOfAKnownTranslationHasItsSignAndSize()
    {
        var right = Path.Combine(folder, "right.avi");
        var up = Path.Combine(folder, "up.avi");
        ClipWriter.Write(right, new MovingShape(false, (255, 255, 255), (2, 0), (20, 32), 8), frames: 6, size: 64);
        ClipWriter.Write(up, new MovingShape(true, (255, 255, 255), (0, -3), (32, 44), 8), frames: 6, size: 64);
        // Rows are y and columns x: the white disc of the first frame is brightest at (y 32, x 20), not transposed.
        var grey = new VideoSpec(VideoContent.Frames, Frames: 1, Height: 64, Width: 64, Grey: true, Stride: 1);
        var pixels = new float[grey.Size];
        VideoDecoding.Decode(right, grey, pixels);
        Assert.IsGreaterThan(0.9f, pixels[32 * 64 + 20]);
        Assert.IsLessThan(0.5f, pixels[20 * 64 + 32]);

        var spec = new VideoSpec(VideoContent.OpticalFlow, Frames: 3, Height: 64, Width: 64, Stride: 1, FlowBound: 10);
        foreach (var (path, dx, dy, x0, y0, vx, vy) in new[] { (right, 0.2, 0.0, 20, 32, 2, 0), (up, 0.0, -0.3, 32, 44, 0, -3) })
        {
            var values = new float[spec.Size];
            VideoDecoding.Decode(path, spec, values);
            for (var f = 0; f < 3; f++)
            {
                // The shape's centre in the first frame of the pair.
                var (x, y) = (x0 + f * vx, y0 + f * vy);
                var at = y * 64 + x;
                Assert.AreEqual(dx, values[(2 * f) * 4096 + at], 0.05, $"{Path.GetFileName(path)}: x flow of pair {f}");
                Assert.AreEqual(dy, values[(2 * f + 1) * 4096 + at], 0.05, $"{Path.GetFileName(path)}: y flow of pair {f}");
            }
        }
    }

    [TestMethod]
    public void BadFilesGiveNaNAndTheirReasonAndFitNamesTheFirst()
    {
        var good = Path.Combine(folder, "good.avi");
        ClipWriter.Write(good, new MovingShape(false, (255, 0, 0), (1, 0), (10, 16), 4), frames: 12, size: 32);
        var bytes = File.ReadAllBytes(good);
        var notVideo = Write("text.avi", "not a video"u8.ToArray());
        var headerOnly = Write("header.avi", bytes[..200]);
        var half = Write("half.avi", bytes[..(bytes.Length / 2)]);
        var empty = Path.Combine(folder, "empty.avi");
        ClipWriter.Write(empty, new MovingShape(false, (0, 0, 0), (0, 0), (0, 0), 1), frames: 0, size: 32);
        var spec = new VideoSpec(VideoContent.Frames, Frames: 4, Height: 16, Width: 16);
        var values = new float[spec.Size];
        foreach (var (path, reason) in new[]
        {
            (Path.Combine(folder, "missing.avi"), "does not exist"), (notVideo, "cannot be opened as a video"),
            (headerOnly, "cannot be opened as a video"), (half, "cannot be opened as a video"), (empty, "Video file"),
        })
        {
            Array.Fill(values, 0.5f);
            var error = VideoDecoding.TryDecode(path, spec, values);
            Assert.AreNotEqual("", error, path);
            StringAssert.Contains(error, reason);
            Assert.IsTrue(values.All(float.IsNaN), $"{path}: NaN values");
        }

        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(new[] { good, notVideo, headerOnly }.Select(p => new ClipRow { Label = "a", Clip = p }));
        var options = new VideoFramesOptions { Frames = 4, Height = 16, Width = 16 };
        var error2 = Assert.Throws<ArgumentException>(() => ml.Transforms.VideoFrames("Frames", "Clip", options).Fit(data));
        StringAssert.Contains(error2.Message, "2 video file(s) in column 'Clip'");
        StringAssert.Contains(error2.Message, notVideo);
        options.SkipInvalidFiles = true;
        using var model = ml.Transforms.VideoFrames("Frames", "Clip", options).Fit(data);
        var scored = model.Transform(data);
        var frames = scored.GetColumn<float[]>("Frames").ToArray();
        var errors = scored.GetColumn<string>("Frames.Error").ToArray();
        Assert.IsTrue(frames[0].All(float.IsFinite));
        Assert.AreEqual("", errors[0]);
        Assert.IsTrue(frames[1].All(float.IsNaN));
        StringAssert.Contains(errors[1], "cannot be opened");
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void AFramesAndFlowModelScoresIdenticallyInAFreshProcessWithoutTorchSharp()
    {
        var ml = new MLContext(seed: 0);
        var rows = Clips(36, "train");
        var data = ml.Data.LoadFromEnumerable(rows);
        var frames = new VideoFramesOptions { Frames = 2, Height = 16, Width = 16 };
        var flow = new OpticalFlowOptions { Frames = 2, Height = 16, Width = 16, Bound = 4 };
        var options = TwoViewRows.SmallOptions(epochs: 2);
        options.Modalities.Clear();
        // ResNet-18 encoders with the transforms' shapes: the layout is what the encoder reads.
        foreach (var (name, column, shape) in new[] { ("rgb", "Frames", frames.Shape), ("flow", "Flow", flow.Shape) })
        {
            options.Modalities.Add(new ModalityOptions { Name = name, ColumnName = column, Encoder = EncoderKind.ResNet18, Shape = shape });
        }

        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.VideoFrames("Frames", "Clip", frames))
            .Append(ml.Transforms.OpticalFlow("Flow", "Clip", flow))
            .Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        var test = ml.Data.LoadFromEnumerable(Clips(12, "test"));
        FreshProcessScoring.AssertSameScores(ml, model, data.Schema, test, folder);
        (model as IDisposable)?.Dispose();
    }

    // Three classes by colour and direction of a moving disc.
    private static ClipRow[] Clips(int count, string split) => Enumerable.Range(0, count).Select(i =>
    {
        var c = i % 3;
        var path = Path.Combine(folder, $"{split}-{i}.avi");
        var colour = c == 0 ? (255, 0, 0) : (0, 0, 255);
        var velocity = c == 2 ? (-2.0, 0.0) : (2.0, 0.0);
        ClipWriter.Write(path, new MovingShape(false, colour, velocity, (32 - 6 * velocity.Item1, 20 + i % 20), 6), frames: 8,
            size: 64, noise: 8, seed: i);
        return new ClipRow { Label = TwoViewRows.ClassNames[c], Clip = path };
    }).ToArray();

    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
