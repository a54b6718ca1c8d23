using System.Runtime.InteropServices;
using OpenCvSharp;

namespace DiMml.Video;

/// <summary>
/// Turns a video file into the vector a <see cref="VideoSpec"/> describes: the clip is read front to back (the FFMPEG backend;
/// frames that are not sampled are grabbed but not converted; a second pass when the declared frame count is missing or
/// too high), the sampled frames are resized to the output size
/// (area interpolation), then written as RGB or grey values in [0, 1], or as Farneback optical flow between consecutive
/// sampled frames (the paper used TV-L1 flow images; Farneback is what OpenCV's main modules offer).
/// </summary>
public static class VideoDecoding
{
    /// <summary>Decodes <paramref name="path"/> into <paramref name="output"/> (<see cref="VideoSpec.Size"/> values).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="spec">What to produce.</param>
    /// <param name="output">Receives <see cref="VideoSpec.Size"/> values.</param>
    /// <exception cref="InvalidDataException">The file is missing, not a video OpenCV can read, or holds no frames.</exception>
    public static void Decode(string path, VideoSpec spec, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (output.Length != spec.Size)
        {
            throw new ArgumentException($"The output holds {output.Length} values; this spec gives {spec.Size}.", nameof(output));
        }

        var frames = ReadFrames(path, spec);
        try
        {
            if (spec.Content == VideoContent.OpticalFlow)
            {
                WriteFlow(frames, spec, output);
            }
            else
            {
                WritePixels(frames, spec, output);
            }
        }
        finally
        {
            Array.ForEach(frames, f => f.Dispose());
        }
    }

    /// <summary>Like <see cref="Decode"/>, but a file that cannot be read gives NaN values and the reason.</summary>
    /// <param name="path">The video file.</param>
    /// <param name="spec">What to produce.</param>
    /// <param name="output">Receives <see cref="VideoSpec.Size"/> values, or NaN.</param>
    /// <returns>Empty on success, else why the file could not be read.</returns>
    public static string TryDecode(string path, VideoSpec spec, Span<float> output)
    {
        try
        {
            Decode(path, spec, output);
            return "";
        }
        catch (Exception e) when (e is InvalidDataException or OpenCVException)
        {
            output.Fill(float.NaN);
            return e is OpenCVException ? $"Video file '{path}' cannot be decoded: {e.Message}" : e.Message;
        }
    }

    /// <summary>Checks cheaply that <paramref name="path"/> opens as a video and its first frame decodes (a whole decode is left
    /// to scoring).</summary>
    /// <param name="path">The video file.</param>
    /// <returns>Empty when it does, else why not.</returns>
    public static string Probe(string path)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                return string.IsNullOrWhiteSpace(path) ? "A video path is empty." : $"Video file '{path}' does not exist.";
            }

            using var capture = Open(path);
            using var frame = new Mat();
            return capture.Read(frame) && !frame.Empty() ? "" : $"Video file '{path}' holds no frames.";
        }
        catch (Exception e) when (e is InvalidDataException or OpenCVException)
        {
            return e.Message;
        }
    }

    // The sampled frames, resized: BGR for pixels, grey for flow (Farneback works on one channel).
    private static Mat[] ReadFrames(string path, VideoSpec spec)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidDataException("A video path is empty.");
        }

        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Video file '{path}' does not exist.");
        }

        // The declared frame count can be missing or wrong (frames that do not decode): then count what decodes and sample
        // from that. (An MJPG AVI cut short does not open at all: its index is at the end.)
        int clipFrames;
        using (var capture = Open(path))
        {
            clipFrames = (int)capture.Get(VideoCaptureProperties.FrameCount);
            if (clipFrames > 0)
            {
                var (frames, readable) = Sample(capture, path, spec, clipFrames);
                if (frames is not null)
                {
                    return frames;
                }

                clipFrames = readable;
            }
            else
            {
                clipFrames = CountFrames(capture, path);
            }
        }

        using var again = Open(path);
        return Sample(again, path, spec, clipFrames).Frames ?? throw new InvalidDataException($"Video file '{path}' cannot be read.");
    }

    private static int CountFrames(VideoCapture capture, string path)
    {
        var count = 0;
        while (capture.Grab())
        {
            count++;
        }

        return count > 0 ? count : throw new InvalidDataException($"Video file '{path}' holds no frames.");
    }

    // The sampled frames, or null and the frames that could be read when the clip ends before a sampled position.
    private static (Mat[]? Frames, int Readable) Sample(VideoCapture capture, string path, VideoSpec spec, int clipFrames)
    {
        var positions = FrameSampling.Positions(clipFrames, spec.SampledFrames, spec.Stride);
        var frames = new Mat?[positions.Length];
        using var raw = new Mat();
        var index = 0;
        for (var next = 0; next < positions.Length; index++)
        {
            if (!capture.Grab())
            {
                Array.ForEach(frames, f => f?.Dispose());
                return index > 0 ? (null, index) : throw new InvalidDataException($"Video file '{path}' holds no frames.");
            }

            if (positions[next] != index)
            {
                continue;
            }

            try
            {
                if (!capture.Retrieve(raw) || raw.Empty() || raw.Type() != MatType.CV_8UC3)
                {
                    throw new InvalidDataException($"Video file '{path}': frame {index} cannot be decoded as 8-bit colour.");
                }

                frames[next++] = Resize(raw, spec);
                // Repeated positions (a clip shorter than the sample) reuse the frame.
                while (next < positions.Length && positions[next] == index)
                {
                    frames[next] = frames[next - 1]!.Clone();
                    next++;
                }
            }
            catch
            {
                Array.ForEach(frames, f => f?.Dispose());
                throw;
            }
        }

        return (frames.Select(f => f!).ToArray(), index);
    }

    private static VideoCapture Open(string path)
    {
        var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new InvalidDataException($"Video file '{path}' cannot be opened as a video (not a video, or a codec OpenCV's " +
                "FFMPEG backend cannot read).");
        }

        return capture;
    }

    private static Mat Resize(Mat raw, VideoSpec spec)
    {
        var resized = new Mat();
        Cv2.Resize(raw, resized, new Size(spec.Width, spec.Height), interpolation: InterpolationFlags.Area);
        if (spec.Content == VideoContent.Frames && !spec.Grey)
        {
            return resized;
        }

        var grey = new Mat();
        Cv2.CvtColor(resized, grey, ColorConversionCodes.BGR2GRAY);
        resized.Dispose();
        return grey;
    }

    private static void WritePixels(Mat[] frames, VideoSpec spec, Span<float> output)
    {
        var plane = spec.Height * spec.Width;
        var bytes = new byte[plane * spec.Channels];
        for (var f = 0; f < frames.Length; f++)
        {
            CopyBytes(frames[f], bytes);
            var frame = output.Slice(f * spec.Channels * plane, spec.Channels * plane);
            for (var c = 0; c < spec.Channels; c++)
            {
                // OpenCV stores BGR interleaved; the output is R, G, B planes.
                var source = spec.Channels == 3 ? 2 - c : 0;
                var target = frame.Slice(c * plane, plane);
                for (var p = 0; p < plane; p++)
                {
                    target[p] = bytes[p * spec.Channels + source] / 255f;
                }
            }
        }
    }

    private static void WriteFlow(Mat[] frames, VideoSpec spec, Span<float> output)
    {
        var plane = spec.Height * spec.Width;
        var values = new float[plane * 2];
        var scale = (float)(1 / spec.FlowBound);
        using var flow = new Mat();
        for (var f = 0; f < spec.Frames; f++)
        {
            Cv2.CalcOpticalFlowFarneback(frames[f], frames[f + 1], flow, pyrScale: 0.5, levels: 3, winsize: 15, iterations: 3,
                polyN: 5, polySigma: 1.2, flags: 0);
            Marshal.Copy(flow.Data, values, 0, values.Length);
            var pair = output.Slice(f * 2 * plane, 2 * plane);
            for (var p = 0; p < plane; p++)
            {
                pair[p] = Math.Clamp(values[2 * p] * scale, -1f, 1f);
                pair[plane + p] = Math.Clamp(values[2 * p + 1] * scale, -1f, 1f);
            }
        }
    }

    private static void CopyBytes(Mat frame, byte[] bytes)
    {
        if (frame.IsContinuous())
        {
            Marshal.Copy(frame.Data, bytes, 0, bytes.Length);
            return;
        }

        using var continuous = frame.Clone();
        Marshal.Copy(continuous.Data, bytes, 0, bytes.Length);
    }
}
