namespace DiMml.Serving.Audio;

/// <summary>
/// Turns a WAV file into a fixed-length mono signal at a target rate: decode, mix down, resample, then tile a
/// shorter clip (repeat it) or crop a longer one from its start to the wanted length.
/// </summary>
public static class AudioDecoding
{
    /// <summary>Decodes <paramref name="path"/> into <paramref name="output"/> (its length is the wanted sample count).</summary>
    /// <param name="path">The WAV file.</param>
    /// <param name="sampleRate">Target sample rate (Hz).</param>
    /// <param name="output">Receives exactly <c>output.Length</c> samples.</param>
    /// <exception cref="InvalidDataException">The file is missing, unreadable, not WAV, or empty.</exception>
    public static void Decode(string path, int sampleRate, Span<float> output)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidDataException("An audio path is empty.");
        }

        var (samples, rate) = WavFile.ReadMono(path);
        var signal = Resampler.Resample(samples, rate, sampleRate);
        for (var i = 0; i < output.Length; i += signal.Length)
        {
            signal.AsSpan(0, Math.Min(signal.Length, output.Length - i)).CopyTo(output[i..]);
        }
    }

    /// <summary>Like <see cref="Decode"/>, but a file that cannot be decoded gives NaN samples and its error message.</summary>
    /// <param name="path">The WAV file.</param>
    /// <param name="sampleRate">Target sample rate (Hz).</param>
    /// <param name="output">Receives exactly <c>output.Length</c> samples, or NaN.</param>
    /// <returns>Empty on success, else why the file could not be decoded.</returns>
    public static string TryDecode(string path, int sampleRate, Span<float> output)
    {
        try
        {
            Decode(path, sampleRate, output);
            return "";
        }
        catch (InvalidDataException e)
        {
            output.Fill(float.NaN);
            return e.Message;
        }
    }
}
