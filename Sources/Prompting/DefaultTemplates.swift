import Foundation

/// The built-in templates of `chat` and `chat-instruct` modes.
enum DefaultTemplates {
    /// `chat` mode: the context and user bio, then one `name: text` line per message, then the
    /// character's name to answer after.
    static let chat = """
        {%- for message in messages %}
            {%- if message['role'] == 'system' -%}
                {%- if message['content'] -%}
                    {{- message['content'] + '\\n\\n' -}}
                {%- endif -%}
                {%- if user_bio -%}
                    {{- user_bio + '\\n\\n' -}}
                {%- endif -%}
            {%- elif message['role'] == 'tool' -%}
                {{- '[Tool result: ' + (message['content'] or '') + ']\\n' -}}
            {%- elif message['role'] == 'user' -%}
                {{- name1 + ': ' + (message['content'] or '') + '\\n' -}}
            {%- else -%}
                {%- if message['tool_calls'] is defined and message['tool_calls'] -%}
                    {%- for call in message['tool_calls'] -%}
                        {%- set arguments = call['function']['arguments'] -%}
                        {{- '[Calling: ' + call['function']['name'] + '(' + (arguments if arguments is string else arguments | tojson) + ')]\\n' -}}
                    {%- endfor -%}
                {%- endif -%}
                {%- if message['content'] -%}
                    {{- name2 + ': ' + message['content'] + '\\n' -}}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
            {{- name2 + ':' -}}
        {%- endif -%}
        """

    static let chatInstructCommand = "Continue the chat dialogue below. Write a single reply for the character \"<|character|>\".\n\n<|prompt|>"

    /// The template used when nothing else names one.
    static let fallbackInstructionTemplate = "Alpaca"
}
