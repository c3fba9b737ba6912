import ArgumentParser
import Prompting

/// Where chat prompts come from, named as in text-generation-webui.
struct PromptOptions: ParsableArguments {
    @Option(
        name: .customLong("chat-template-file"),
        help: "A Jinja chat template (or a YAML file with 'instruction_template') used instead of the model's own."
    )
    var chatTemplateFile: String?

    @Option(
        name: .customLong("instruction-template-dir"),
        help: "Folder of instruction templates a request's 'instruction_template' names (default: instruction-templates, here or installed)."
    )
    var instructionTemplateDir: String?

    @Option(
        name: .customLong("character-dir"),
        help: "Folder of characters (.yaml, .yml, .json) a request's 'character' names (default: characters, here or installed)."
    )
    var characterDir: String?

    @Option(
        name: .customLong("model-config-dir"),
        help:
            "Folder of config.yaml (templates guessed from model names) and config-user.yaml (your overrides) (default: model-config, here or installed)."
    )
    var modelConfigDir: String?

    var library: PromptLibrary {
        PromptLibrary(
            instructionTemplateDirectory: instructionTemplateDir ?? InstallLayout.directory("instruction-templates"),
            characterDirectory: characterDir ?? InstallLayout.directory("characters"),
            modelConfigDirectory: modelConfigDir ?? InstallLayout.directory("model-config"),
            chatTemplateFile: chatTemplateFile
        )
    }
}
