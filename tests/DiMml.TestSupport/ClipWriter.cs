using OpenCvSharp;

namespace DiMml.TestSupport;

/// <summary>A filled shape moving in a straight line over a plain or noisy background.</summary>
/// <param name="Square">A square rather than a disc.</param>
/// <param name="Colour">Its colour as (R, G, B), 0-255.</param>
/// <param name="Velocity">Pixels per frame, (x, y); y grows downwards.</param>
/// <param name="Start">Centre in the first frame.</param>
/// <param name="Radius">Half the shape's size, pixels.</param>
public sealed record MovingShape(bool Square, (int R, int G, int B) Colour, (double X, double Y) Velocity, (double X, double Y) Start,
    int Radius);

/// <summary>Writes video files with OpenCV's VideoWriter (MJPG in AVI): moving shapes for the video tests, example and
/// benchmark.</summary>
public static class ClipWriter
{
    /// <summary>Writes <paramref name="frames"/> frames of <paramref name="size"/> x <paramref name="size"/> at 25 fps.</summary>
    /// <param name="path">The .avi file.</param>
    /// <param name="shape">What moves.</param>
    /// <param name="frames">Frames in the clip (0 writes a clip without frames).</param>
    /// <param name="size">Frame width and height.</param>
    /// <param name="noise">Standard deviation of the background noise (0-255 scale); 0 for a plain grey background.</param>
    /// <param name="seed">Seeds the noise.</param>
    /// <param name="background">Grey level of the background.</param>
    public static void Write(string path, MovingShape shape, int frames, int size, double noise = 0, int seed = 0, int background = 96)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 25, new Size(size, size));
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException($"OpenCV cannot write '{path}' (MJPG).");
        }

        var random = new RNG((ulong)seed + 1);
        for (var f = 0; f < frames; f++)
        {
            using var frame = new Mat(size, size, MatType.CV_8UC3, Scalar.All(background));
            if (noise > 0)
            {
                using var speckle = new Mat(size, size, MatType.CV_16SC3);
                random.Fill(speckle, DistributionType.Normal, Scalar.All(0), Scalar.All(noise));
                using var noisy = new Mat();
                frame.ConvertTo(noisy, MatType.CV_16SC3);
                Cv2.Add(noisy, speckle, noisy);
                noisy.ConvertTo(frame, MatType.CV_8UC3);
            }

            var centre = new Point(shape.Start.X + f * shape.Velocity.X,
                shape.Start.Y + f * shape.Velocity.Y);
            var colour = new Scalar(shape.Colour.B, shape.Colour.G, shape.Colour.R);
            if (shape.Square)
            {
                Cv2.Rectangle(frame, new Rect(centre.X - shape.Radius, centre.Y - shape.Radius, 2 * shape.Radius, 2 * shape.Radius),
                    colour, -1);
            }
            else
            {
                Cv2.Circle(frame, centre, shape.Radius, colour, -1);
            }

            writer.Write(frame);
        }
    }

    /// <summary>Writes a clip whose frame f is one solid colour, <paramref name="colour"/>(f) as (R, G, B).</summary>
    /// <param name="path">The .avi file.</param>
    /// <param name="colour">Frame index to colour.</param>
    /// <param name="frames">Frames in the clip.</param>
    /// <param name="size">Frame width and height.</param>
    public static void WriteSolid(string path, Func<int, (int R, int G, int B)> colour, int frames, int size)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 25, new Size(size, size));
        for (var f = 0; f < frames; f++)
        {
            var (r, g, b) = colour(f);
            using var frame = new Mat(size, size, MatType.CV_8UC3, new Scalar(b, g, r));
            writer.Write(frame);
        }
    }
}
