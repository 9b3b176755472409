"""A small Chinese catalogue: 46 real Icecat products, their titles and descriptions translated
into Chinese by hand by the shopassist developers (November 2026) the way a Chinese shop lists
them — brand and model number in Latin script, the kind of product and its features in Chinese.
Ids, brands and prices are Icecat's (../shared/data/icecat, "Product data: Open Icecat
(icecat.biz)"), unchanged. Written out as a CSV by `write_csv`, so tests load it through the real
catalogue loader.
"""

from __future__ import annotations

import csv
from pathlib import Path

# id, title, brand, price, description
PRODUCTS = [
    ("78800060", "联想 IdeaPad 3 笔记本电脑 灰色 17.3英寸 AMD Athlon 8GB内存 256GB固态硬盘 Windows 10", "Lenovo", 517.95, "AMD Athlon Silver 3050U 处理器，8GB DDR4 内存，256GB 固态硬盘"),
    ("77913968", "联想 V15 笔记本电脑 15.6英寸 全高清 酷睿i5 8GB内存 512GB固态硬盘", "Lenovo", 771.95, "英特尔酷睿 i5-1035G1，全高清屏幕"),
    ("77938810", "联想 ThinkBook 13s 轻薄笔记本电脑 13.3英寸 酷睿i7 16GB内存 Windows 10 专业版", "Lenovo", 1139.95, "商务办公轻薄本"),
    ("4006109", "飞利浦 SHS8100 耳挂式耳机", "Philips", 66.95, "运动耳挂，佩戴稳固"),
    ("3206406", "飞利浦 SHE2645 入耳式耳机 白色 黄色", "Philips", 15.95, "入耳式，103分贝"),
    ("675947", "Targus AMU30 USB 有线光电鼠标 1000DPI", "Targus", 20.95, "三键光电鼠标，左右手通用"),
    ("1004650", "Kensington 记忆海绵鼠标护腕垫 蓝色", "Kensington", 17.95, "记忆海绵腕托，缓解手腕疲劳"),
    ("2186927", "CHERRY G83-6105 USB 有线键盘 黑色", "CHERRY", 51.95, "舒适型办公键盘"),
    ("497666", "CHERRY G84-4400 紧凑型键盘 PS/2 英式布局 灰色", "CHERRY", 193.95, "小尺寸工业键盘"),
    ("3496356", "佳能 CEXV16/17 打印机硒鼓 原装", "Canon", 149.94, "激光打印机黑色硒鼓单元"),
    ("4597445", "飞利浦 DCM109 iPhone 底座音箱 10瓦 黑色", "Philips", 166.95, "支持 CD、USB、收音机"),
    ("3412396", "惠普 显示器音箱条", "HP", 24.95, "夹在显示器下方的条形音箱"),
    ("1993197", "索尼 MBS-100 便携蓝牙音箱 黑色", "Sony", 40.95, "无线蓝牙连接，随身携带"),
    ("2117033", "索尼 VF-49CPAM 相机镜头偏振滤镜", "Sony", 74.95, "49毫米圆形偏振镜"),
    ("2064464", "佳能 OA-2 离机闪光灯热靴适配器", "Canon", 18.95, "相机闪光灯配件"),
    ("3539039", "惠普 15.6英寸 笔记本电脑双肩背包 黑色", "HP", 26.95, "专业系列电脑背包"),
    ("77193706", "Alienware 游戏双肩背包 尼龙 黑灰色", "Alienware", 74.95, "可装17英寸游戏本"),
    ("534028", "StarTech.com 1.8米 VGA 显示器延长线", "StarTech.com", 11.95, "高分辨率同轴视频线"),
    ("4597426", "飞利浦 DLM2235 手机充电器 黑色", "Philips", 9.94, "iPhone 和 iPod 墙插充电器"),
    ("78314303", "Tripp Lite 20100毫安 充电宝 三口USB 黑色", "Tripp Lite", 106.95, "大容量移动电源，锂离子电池"),
    ("78849451", "Tripp Lite 10050毫安 充电宝 USB-C 快充 黑色", "Tripp Lite", 91.95, "便携移动电源"),
    ("3595842", "佳能 D型 三脚架接环", "Canon", 191.95, "镜头三脚架安装环"),
    ("1526736", "索尼 LMP-H201 投影仪灯泡 200瓦", "Sony", 276.95, "原装替换灯泡"),
    ("114061", "Newstar 投影仪吊架 可调高度", "Newstar", 129.44, "天花板吊装支架，黑色"),
    ("1454607", "惠普 250GB SATA 机械硬盘 5400转", "HP", 94.95, "笔记本电脑内置硬盘"),
    ("3595485", "StarTech.com 2.5英寸 移动硬盘盒 eSATA USB 黑色", "StarTech.com", 20.95, "外置硬盘盒，适用于 SATA 硬盘"),
    ("77773285", "三星 Galaxy Watch Active 2 智能手表 玫瑰金 4G GPS", "Samsung", 422.95, "1.35英寸屏幕，蓝牙，防水"),
    ("4142673", "索尼 平板电脑保护套 白色 皮革", "Sony", 14.95, "电子书阅读器皮套"),
    ("4020048", "三星 GE89MST 微波炉 23升 850瓦 不锈钢", "Samsung", 121.95, "家用微波炉"),
    ("3875518", "Krups Dolce Gusto Circolo 胶囊咖啡机 1.3升", "Krups", 40.95, "半自动胶囊咖啡机"),
    ("79583158", "Morphy Richards 162521 滴滤式咖啡机 10杯", "Morphy Richards", 45.95, "黑色，1.25升"),
    ("887613", "飞利浦 SFL3463 防水手电筒", "Philips", 31.95, "橡胶外壳，可充电"),
    ("888313", "飞利浦 SFL3461 防水手电筒 小号", "Philips", 17.95, "橡胶外壳"),
    ("634817", "Targus 7口 USB 集线器 带电源适配器", "Targus", 13.95, "桌面 USB 2.0 扩展"),
    ("77944554", "三星 Galaxy S20 硅胶手机壳 白色", "Samsung", 17.95, "6.2英寸手机保护壳"),
    ("77941190", "三星 Galaxy S20 翻盖手机壳 蓝色", "Samsung", 42.95, "透明视窗保护套"),
    ("3610328", "华硕 RT-N16 无线路由器 千兆", "ASUS", 41.95, "2.4GHz，4个局域网口，2个USB口"),
    ("2137918", "TP-LINK TL-WR841N 无线路由器 黑白色", "TP-LINK", 23.95, "单频 2.4GHz 百兆"),
    ("94308", "Newstar 桌面显示器支架 可升降", "Newstar", 64.95, "适用于10到27英寸显示器"),
    ("887509", "飞利浦 AA 充电电池 2700毫安", "Philips", 7.95, "五号镍氢充电电池两节"),
    ("128103", "索尼 NP-F970 摄像机电池", "Sony", 105.45, "大容量锂电池"),
    ("78466789", "LG 32英寸 高清 智能电视 黑色", "LG", 327.95, "无线网络，HDMI"),
    ("2157715", "Vogel's EFF 8340 平板电视落地支架 黑色", "Vogel's", 333.95, "落地式电视支架"),
    ("4706452", "技嘉 M8000X 激光游戏鼠标 6000DPI", "Gigabyte", 52.95, "电竞游戏鼠标"),
    ("1929829", "惠普 Voodoo 激光游戏鼠标 3200DPI", "HP", 29.95, "电竞游戏鼠标"),
    ("2409472", "3M 人体工学无线鼠标 黑色", "3M", 77.95, "垂直握姿无线光电鼠标"),
]


def write_csv(path: Path) -> Path:
    """The catalogue as a product CSV (id,title,brand,price,description) at `path`."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "brand", "price", "description"])
        writer.writerows(PRODUCTS)
    return path
