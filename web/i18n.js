// kefu web chat: the page's strings in Chinese and English, and the choice between them
// (?lang= or the widget's data-lang first, then the browser's language).
"use strict";
(function () {
  var STRINGS = {
    en: {
      title: "Customer service",
      end: "End",
      endLabel: "End the conversation",
      send: "Send",
      inputLabel: "Your message",
      placeholder: "Type a message…",
      inputHint: "Enter sends, Shift+Enter starts a new line",
      empty: "Hello! Write your question below and we will answer here.",
      messages: "Messages",
      connecting: "Connecting…",
      online: "Connected",
      reconnecting: "Offline: reconnecting in {s} s",
      cannotConnect: "Cannot reach the chat server",
      you: "You",
      sending: "Sending",
      stored: "Sent",
      delivered: "Delivered",
      failed: "Not sent",
      typing: "{name} is typing…",
      joined: "{name} joined the conversation",
      transferred: "Transferring you to a colleague…",
      queued: "You are number {n} in the queue.",
      estimate: "Expected wait: about {t}.",
      waitingNoPos: "Waiting for an agent…",
      offline: "Nobody is available right now. Leave a message: we will answer here as soon as we are back.",
      closedHours: "We are outside our opening hours.",
      ended: "The conversation has ended.",
      endedBy: { resolved: "The conversation has ended.", unresolved: "The conversation has ended.", abandoned: "The conversation was closed.", customer_left: "You ended the conversation." },
      rateQ: "How was our service?",
      star: "{n} star",
      stars: "{n} stars",
      comment: "Comment (optional)",
      submit: "Send rating",
      thanks: "Thank you for your feedback!",
      newChat: "Start a new conversation",
      endFailed: "The conversation could not be ended: {m}",
      error: "Something went wrong: {m}",
      minutes: "{n} min",
      seconds: "{n} s",
      close: "Close chat",
      open: "Chat with us",
      bot: "Bot",
      human: "Talk to a person"
    },
    zh: {
      title: "在线客服",
      end: "结束",
      endLabel: "结束对话",
      send: "发送",
      inputLabel: "输入消息",
      placeholder: "请输入消息…",
      inputHint: "Enter 发送，Shift+Enter 换行",
      empty: "您好！请在下方输入您的问题，我们会在这里回复您。",
      messages: "消息",
      connecting: "正在连接…",
      online: "已连接",
      reconnecting: "已断开：{s} 秒后重新连接",
      cannotConnect: "无法连接到客服服务器",
      you: "我",
      sending: "发送中",
      stored: "已发送",
      delivered: "已送达",
      failed: "发送失败",
      typing: "{name} 正在输入…",
      joined: "{name} 已接入对话",
      transferred: "正在为您转接其他客服…",
      queued: "您前面排在第 {n} 位。",
      estimate: "预计等待约 {t}。",
      waitingNoPos: "正在等待客服接入…",
      offline: "当前没有客服在线。请留言，我们回来后会在这里回复您。",
      closedHours: "现在不在服务时间内。",
      ended: "对话已结束。",
      endedBy: { resolved: "对话已结束。", unresolved: "对话已结束。", abandoned: "对话已关闭。", customer_left: "您已结束对话。" },
      rateQ: "您对本次服务满意吗？",
      star: "{n} 星",
      stars: "{n} 星",
      comment: "评价（可选）",
      submit: "提交评价",
      thanks: "感谢您的评价！",
      newChat: "开始新的对话",
      endFailed: "无法结束对话：{m}",
      error: "出错了：{m}",
      minutes: "{n} 分钟",
      seconds: "{n} 秒",
      close: "关闭对话窗口",
      open: "联系客服",
      bot: "机器人",
      human: "转人工"
    }
  };

  // "zh", "zh-CN", "zh-Hans-TW" → zh; anything else → en.
  function pick(wanted) {
    var tries = [wanted, navigator.language].concat(navigator.languages || []);
    for (var i = 0; i < tries.length; i++) {
      var l = String(tries[i] || "").toLowerCase();
      if (l.indexOf("zh") === 0) return "zh";
      if (l.indexOf("en") === 0) return "en";
    }
    return "en";
  }

  function make(lang) {
    var table = STRINGS[lang];
    return function t(key, vars) {
      var s = table[key];
      if (typeof s !== "string") s = STRINGS.en[key] || key;
      if (vars) {
        s = s.replace(/\{(\w+)\}/g, function (m, k) {
          return vars[k] === undefined ? m : String(vars[k]);
        });
      }
      return s;
    };
  }

  window.KefuI18n = { pick: pick, make: make, strings: STRINGS };
})();
