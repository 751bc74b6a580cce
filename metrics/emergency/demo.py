"""The demo's emergency plans, in the site's language (data as a centre would type it, not
interface text: not translated). A role's holder is a role of the floor, or `@username`."""

from django.conf import settings

TEXT = {
    "en": {
        "flood": {
            "title": "Flood of calls on {queue}",
            "when": (
                "{queue} has more than 20 calls waiting and its service level stays under 60 % "
                "for ten minutes (a billing run, an outage at a partner)."
            ),
            "broadcast": (
                "{queue} is flooded: the agents named on the board join its queue now. Keep "
                "calls short, offer a call-back for anything over five minutes."
            ),
            "roles": [
                ("supervisor", "Decides to start and to end the plan, moves the agents"),
                ("@teamlead", "Watches the queue and reports every 15 minutes"),
                ("team_lead", "Briefs the agents who join the queue"),
            ],
            "steps": [
                "Confirm the surge on the board: calls waiting and service level",
                "Switch the IVR to the high-volume message",
                "Suspend outbound call-backs until the queue is back under 5",
                "Review every 15 minutes; move the agents back when the queue is under 5",
            ],
        },
        "outage": {
            "title": "CRM or network failure",
            "when": "The CRM or the network does not answer for two minutes on several desks.",
            "broadcast": (
                "CRM down: take name, number and reason on the paper call sheet and promise a "
                "call-back within two hours. Do not restart your PC."
            ),
            "roles": [
                ("supervisor", "Calls the IT hotline and logs the incident number"),
                ("@teamlead", "Hands out the paper call sheets"),
                ("qa_analyst", "Collects the sheets and checks every call-back is made"),
            ],
            "steps": [
                "Call the IT hotline and write down the incident number",
                "Hand out the paper call sheets to every desk",
                "Switch the IVR to the outage message",
                "Tell the team leads when IT expects the CRM back",
                "When the CRM is back: enter every paper sheet before the end of the shift",
            ],
            "drill_note": (
                "Sheets reached every desk in 4 minutes; the IVR message took 6 minutes because "
                "only one person had the password. Give the second supervisor the IVR password."
            ),
        },
    },
    "zh-hans": {
        "flood": {
            "title": "{queue}队列话务激增",
            "when": "{queue}排队数超过20且服务水平连续十分钟低于60%（账单日、合作方故障）。",
            "broadcast": (
                "{queue}话务激增：看板上列出的坐席立即加入该队列。通话从简，超过五分钟的问题"
                "请登记回访。"
            ),
            "roles": [
                ("supervisor", "决定启动和结束预案，调配坐席"),
                ("@teamlead", "盯住队列，每15分钟汇报一次"),
                ("team_lead", "给加入队列的坐席做简要说明"),
            ],
            "steps": [
                "在大屏上确认激增：排队数和服务水平",
                "把IVR切换到话务高峰提示音",
                "暂停外呼回访，直到排队数回落到5以下",
                "每15分钟复核一次；排队数低于5时把坐席调回原队列",
            ],
        },
        "outage": {
            "title": "CRM或网络故障",
            "when": "多个工位的CRM或网络两分钟无响应。",
            "broadcast": (
                "CRM故障：请在纸质来电登记表上记录姓名、号码和来电原因，承诺两小时内回访。"
                "不要重启电脑。"
            ),
            "roles": [
                ("supervisor", "拨打IT热线并记录故障单号"),
                ("@teamlead", "分发纸质来电登记表"),
                ("qa_analyst", "收回登记表并核对每个回访都已完成"),
            ],
            "steps": [
                "拨打IT热线，记下故障单号",
                "把纸质来电登记表发到每个工位",
                "把IVR切换到故障提示音",
                "告知各组长IT预计恢复的时间",
                "CRM恢复后：本班次结束前把所有纸质登记录入系统",
            ],
            "drill_note": (
                "登记表4分钟内发到所有工位；IVR提示音用了6分钟，因为只有一人知道密码。"
                "请把IVR密码交给第二位现场主管。"
            ),
        },
    },
    "zh-hant": {
        "flood": {
            "title": "{queue}佇列話務激增",
            "when": "{queue}排隊數超過20且服務水準連續十分鐘低於60%（帳單日、合作方故障）。",
            "broadcast": (
                "{queue}話務激增：看板上列出的坐席立即加入該佇列。通話從簡，超過五分鐘的問題"
                "請登記回訪。"
            ),
            "roles": [
                ("supervisor", "決定啟動和結束預案，調配坐席"),
                ("@teamlead", "盯住佇列，每15分鐘回報一次"),
                ("team_lead", "為加入佇列的坐席做簡要說明"),
            ],
            "steps": [
                "在大屏上確認激增：排隊數和服務水準",
                "把IVR切換到話務高峰提示音",
                "暫停外撥回訪，直到排隊數回落到5以下",
                "每15分鐘複核一次；排隊數低於5時把坐席調回原佇列",
            ],
        },
        "outage": {
            "title": "CRM或網路故障",
            "when": "多個座位的CRM或網路兩分鐘無回應。",
            "broadcast": (
                "CRM故障：請在紙本來電登記表上記錄姓名、號碼和來電原因，承諾兩小時內回訪。"
                "請勿重新開機。"
            ),
            "roles": [
                ("supervisor", "撥打IT專線並記錄故障單號"),
                ("@teamlead", "分發紙本來電登記表"),
                ("qa_analyst", "收回登記表並核對每個回訪都已完成"),
            ],
            "steps": [
                "撥打IT專線，記下故障單號",
                "把紙本來電登記表發到每個座位",
                "把IVR切換到故障提示音",
                "告知各組長IT預計恢復的時間",
                "CRM恢復後：本班次結束前把所有紙本登記輸入系統",
            ],
            "drill_note": (
                "登記表4分鐘內發到所有座位；IVR提示音用了6分鐘，因為只有一人知道密碼。"
                "請把IVR密碼交給第二位現場主管。"
            ),
        },
    },
}


def text() -> dict:
    return TEXT.get(settings.LANGUAGE_CODE, TEXT["en"])
