using System.Buffers.Binary;
using System.Text;

namespace DiMml.TestSupport;

/// <summary>Writes WAV files: 16-bit PCM or 32-bit float, one or more identical channels (examples and tests).</summary>
public static class WavWriter
{
    public static void Write(string path, float[] samples, int sampleRate, bool asFloat = false, int channels = 1)
    {
        var bytesPerSample = asFloat ? 4 : 2;
        var data = new byte[samples.Length * channels * bytesPerSample];
        for (var i = 0; i < samples.Length; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                var at = (i * channels + c) * bytesPerSample;
                if (asFloat)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(at), samples[i]);
                }
                else
                {
                    BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(at),
                        (short)Math.Clamp(Math.Round(samples[i] * 32767), short.MinValue, short.MaxValue));
                }
            }
        }

        using var file = new BinaryWriter(File.Create(path));
        file.Write(Encoding.ASCII.GetBytes("RIFF"));
        file.Write(36 + data.Length);
        file.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        file.Write(16);
        file.Write((short)(asFloat ? 3 : 1));
        file.Write((short)channels);
        file.Write(sampleRate);
        file.Write(sampleRate * channels * bytesPerSample);
        file.Write((short)(channels * bytesPerSample));
        file.Write((short)(bytesPerSample * 8));
        file.Write(Encoding.ASCII.GetBytes("data"));
        file.Write(data.Length);
        file.Write(data);
    }

    public static float[] Tone(double hertz, double seconds, int sampleRate, double amplitude = 0.5) =>
        Enumerable.Range(0, (int)(seconds * sampleRate)).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hertz * i / sampleRate)))
            .ToArray();
}
