using System.Globalization;
using DiMml.TestSupport;
using DiMml.Video;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Benchmarks;

/// <summary>
/// Time to turn one clip into its video columns, as the saved pipeline's decoding step does for every row: 16 RGB frames at
/// 112 x 112, Farneback flow for 16 pairs (17 frames) at 112 x 112, and both, on clips written with OpenCV (MJPG) at the
/// output size and at 320 x 320 (ClipWriter writes square frames; UCF101's are 320 x 240). Medians over the clips, each
/// decoded several times.
/// </summary>
internal static class VideoDecodeSuite
{
    public static IEnumerable<string> Run(int clips)
    {
        var folder = Directory.CreateTempSubdirectory("dimml-video-bench-").FullName;
        try
        {
            var lines = new List<string>
            {
                "## Video decoding and optical flow",
                "",
                $"Machine: {MachineDescription.Cpu()}; OpenCV {OpenCvSharp.Cv2.GetVersionString()} with " +
                    $"{OpenCvSharp.Cv2.GetNumThreads()} thread(s); {DateTime.UtcNow:yyyy-MM-dd}. {clips} clips per source (a disc " +
                    "moving over a noisy background, MJPG AVI), each decoded 5 times; medians in ms per clip, `VideoDecoding.Decode` " +
                    "as the pipeline's decoding step runs it; the last column reads both columns per row through fitted VideoFrames + " +
                    "OpticalFlow transforms (each decodes the file; ML.NET's cursor, the tier buffer, the ONNX cut).",
                "",
                "| source clip | 16 RGB frames, 112 x 112 | flow, 16 pairs, 112 x 112 | both | both, through the saved pipeline |",
                "| --- | --- | --- | --- | --- |",
            };
            foreach (var (size, frames) in new[] { (112, 17), (320, 50) })
            {
                var paths = Enumerable.Range(0, clips).Select(i =>
                {
                    var path = Path.Combine(folder, $"{size}-{i}.avi");
                    ClipWriter.Write(path, new MovingShape(i % 2 == 0, (200, 40, 40), (2 + i % 3, 1), (size / 4.0, size / 2.0),
                        size / 10), frames, size, noise: 6, seed: i);
                    return path;
                }).ToArray();
                var rgb = new VideoSpec(VideoContent.Frames, 16, 112, 112);
                var flow = new VideoSpec(VideoContent.OpticalFlow, 16, 112, 112);
                var (rgbMs, flowMs, bothMs) = (Median(paths, rgb), Median(paths, flow), Median(paths, rgb, flow));
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {size} x {size}, {frames} frames | {rgbMs:F1} | {flowMs:F1} | {bothMs:F1} | {ThroughPipeline(paths):F1} |"));
            }

            return lines;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Per row, reading both columns of VideoFrames + OpticalFlow over all clips (ML.NET's cursor, the tier buffer, the ONNX
    // step that cuts it to size), the median of five passes.
    private static double ThroughPipeline(string[] paths)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new ClipRow { Clip = p }));
        using var model = ml.Transforms.VideoFrames("Rgb", "Clip", new VideoFramesOptions { Frames = 16 })
            .Append(ml.Transforms.OpticalFlow("Flow", "Clip", new OpticalFlowOptions { Frames = 16 })).Fit(data);
        var scored = model.Transform(data);
        var times = Timing.Time(5, () =>
        {
            using var cursor = scored.GetRowCursor([scored.Schema["Rgb"], scored.Schema["Flow"]]);
            var rgb = cursor.GetGetter<VBuffer<float>>(scored.Schema["Rgb"]);
            var flow = cursor.GetGetter<VBuffer<float>>(scored.Schema["Flow"]);
            var value = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                rgb(ref value);
                flow(ref value);
            }
        });
        return Timing.Median(times) / paths.Length;
    }

    private sealed class ClipRow
    {
        public string Clip { get; set; } = "";
    }

    private static double Median(string[] paths, params VideoSpec[] specs)
    {
        var buffers = specs.Select(s => new float[s.Size]).ToArray();
        var times = paths.SelectMany(path => Timing.Time(5, () =>
        {
            for (var s = 0; s < specs.Length; s++)
            {
                VideoDecoding.Decode(path, specs[s], buffers[s]);
            }
        })).Order().ToArray();
        return times[times.Length / 2];
    }
}
