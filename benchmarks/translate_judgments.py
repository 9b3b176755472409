"""Write the Icecat dev judgements with every query in Chinese (translated by the shopassist
developers, by hand, for this benchmark; products and grades unchanged).

    .venv/bin/python benchmarks/translate_judgments.py  # → benchmarks/data/icecat-judgments-dev-zh.csv

Source: ../shared/data/icecat/judgments-dev.csv, Apache-2.0 (judgements donated to the open-source
Chorus relevance project); this derived file keeps that licence.
"""

from __future__ import annotations

import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "data" / "icecat" / "judgments-dev.csv"
TARGET = REPO / "benchmarks" / "data" / "icecat-judgments-dev-zh.csv"

ZH = {
    "android tablet": "安卓平板电脑", "apple": "苹果", "backpack": "双肩背包", "batteries": "电池",
    "bluetooth speaker": "蓝牙音箱", "camera": "相机", "camera bag": "相机包", "cd drive": "光驱",
    "cd player": "CD播放机", "coffee": "咖啡", "desk": "书桌", "desktop": "台式电脑", "dvd player": "DVD播放机",
    "earphones": "耳机", "external dvd drive": "外置DVD光驱", "external hard drive": "移动硬盘",
    "flashlight": "手电筒", "flat screen tv": "平板电视", "gaming laptop": "游戏笔记本电脑", "gaming mouse": "游戏鼠标",
    "gaming pc": "游戏电脑", "garmin": "佳明", "headphones": "头戴式耳机", "huawei": "华为", "ipad": "iPad",
    "ipad pro": "iPad Pro", "ipad stand": "iPad支架", "iphone": "iPhone手机", "iphone 11": "iPhone 11",
    "iphone 7": "iPhone 7", "iphone xr": "iPhone XR", "ipod": "iPod", "keyboard": "键盘", "laptop bag": "笔记本电脑包",
    "laptop stand": "笔记本电脑支架", "laptops": "笔记本电脑", "laser printer": "激光打印机", "light board": "灯板",
    "memory stick": "U盘", "microwave": "微波炉", "monitor": "显示器", "mouse pad": "鼠标垫", "nintendo": "任天堂",
    "nintendo switch games": "任天堂Switch游戏", "notebook": "笔记本", "phone case": "手机壳", "phone charger": "手机充电器",
    "phone cord": "手机数据线", "phone stand": "手机支架", "playstation 4": "PlayStation 4游戏机", "power bank": "充电宝",
    "pro controller": "Pro手柄", "projector": "投影仪", "projector screen": "投影幕布", "ps4 pro": "PS4 Pro",
    "query": "查询", "radio": "收音机", "rtx 2060": "RTX 2060显卡", "smart watch": "智能手表",
    "surround sound speakers": "环绕声音箱", "the boys": "黑袍纠察队", "tripod": "三脚架", "tv": "电视",
    "usb hub": "USB集线器", "vans": "Vans鞋", "windows 10": "Windows 10系统", "wireless mouse": "无线鼠标",
    "xbox": "Xbox游戏机", "youtube": "YouTube",
}


def main() -> None:
    with SOURCE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = sorted({r["query"] for r in rows} - set(ZH))
    if missing:
        raise SystemExit(f"no translation for: {', '.join(missing)}")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["query", "docid", "rating"])
        writer.writeheader()
        for r in rows:
            writer.writerow({"query": ZH[r["query"]], "docid": r["docid"], "rating": r["rating"]})
    print(f"wrote {len(rows)} judgements for {len(ZH)} queries to {TARGET}")


if __name__ == "__main__":
    main()
