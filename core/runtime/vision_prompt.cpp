#include "runtime/vision_prompt.h"

#include "data/rgb_image.h"
#include "runtime/tokenizer.h"

#include <filesystem>
#include <stdexcept>

namespace sculpt {

VisionPrompt visionPrompt(const Tokenizer &tokenizer, const ImagePrompt &format, const ImageProcessorConfig &processor,
                          std::string_view text, const std::vector<RgbImage> &images)
{
    std::vector<std::string_view> pieces;
    for (size_t from = 0;;) {
        const size_t marker = text.find(kImageMarker, from);
        pieces.push_back(text.substr(from, marker == std::string_view::npos ? std::string_view::npos : marker - from));
        if (marker == std::string_view::npos)
            break;
        from = marker + kImageMarker.size();
    }
    if (pieces.size() == 1) // no marker: the images open the prompt
        pieces.insert(pieces.begin(), images.size(), std::string_view());
    else if (pieces.size() - 1 != images.size())
        throw std::invalid_argument("the prompt marks " + std::to_string(pieces.size() - 1) + " " +
                                    std::string(kImageMarker) + " places for " + std::to_string(images.size()) +
                                    " images");

    VisionPrompt prompt{tokenizer.encode(pieces.front(), /*bos=*/true), {}};
    for (size_t i = 0; i < images.size(); ++i) {
        const std::vector<float> pixels = processImage(images[i], processor, format.channels);
        if (int64_t(pixels.size()) != format.pixelsPerImage())
            throw std::invalid_argument("image " + std::to_string(i + 1) + ": the image processor makes " +
                                        std::to_string(pixels.size() / size_t(format.channels)) +
                                        " pixels, the model takes " + std::to_string(format.size) + "×" +
                                        std::to_string(format.size));
        prompt.pixels.insert(prompt.pixels.end(), pixels.begin(), pixels.end());
        prompt.tokens.insert(prompt.tokens.end(), size_t(format.tokensPerImage), int32_t(format.token));
        const std::vector<int32_t> after = tokenizer.encode(pieces[i + 1], /*bos=*/false);
        prompt.tokens.insert(prompt.tokens.end(), after.begin(), after.end());
    }
    return prompt;
}

VisionPrompt visionPrompt(const Tokenizer &tokenizer, const ImagePrompt &format, const ImageProcessorConfig &processor,
                          std::string_view text, const std::vector<std::string> &images)
{
    std::vector<RgbImage> read;
    for (const std::string &image : images)
        read.push_back(readRgbImage(image));
    return visionPrompt(tokenizer, format, processor, text, read);
}

ImageProcessorConfig imageProcessorFor(const std::string &modelPath, const ImagePrompt &format)
{
    const std::filesystem::path model(modelPath);
    const std::filesystem::path file =
        (std::filesystem::is_directory(model) ? model : model.parent_path()) / "preprocessor_config.json";
    if (std::filesystem::exists(file))
        return readImageProcessorConfig(file.string());
    ImageProcessorConfig clip;
    clip.shortestEdge = format.size;
    clip.doCenterCrop = true;
    clip.cropHeight = clip.cropWidth = format.size;
    return clip;
}

} // namespace sculpt
