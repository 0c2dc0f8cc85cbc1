"""The tutorial-style baseline for bench/ui_stream.py: not part of the app.

The pattern from Streamlit's chat tutorial: ``st.write_stream`` straight over the openai
SDK's stream, the answer appended to the history after it returns. It reads the server
from OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL.

    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=x streamlit run bench/naive_app.py
"""

import os

import streamlit as st
from openai import OpenAI

client = OpenAI(base_url=os.environ.get("OPENAI_BASE_URL"), api_key=os.environ.get("OPENAI_API_KEY", "none"))
model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")

st.title("Naive chat")

if "messages" not in st.session_state:
    st.session_state.messages = []

for message in st.session_state.messages:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])

if prompt := st.chat_input("Message"):
    st.session_state.messages.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(prompt)
    with st.chat_message("assistant"):
        stream = client.chat.completions.create(model=model, messages=st.session_state.messages, stream=True)
        response = st.write_stream(stream)
    st.session_state.messages.append({"role": "assistant", "content": response})
